"""The reserve module's one error type.

Input problems use the platform's `InputError` (file, row, field); everything else a FINOP can
cause and fix in the reserve workflow — signing off a HOLD, computing of record with an unapproved
formula, approving one's own proposal — is a `ReserveError`, so the CLI shows one clear line.
"""

from __future__ import annotations

from proctor.core.errors import ProctorError


class ReserveError(ProctorError):
    """A reserve workflow step that the current state or the rules do not allow."""
