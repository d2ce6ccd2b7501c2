"""The review module's one error type.

Problems in a file the user supplied (a policy with a misspelt field, a message without a
direction) are the platform's `InputError`, naming the file and the field path. Everything else a
principal can cause and fix in the review workflow is a `ReviewError`, so the CLI shows one line.
"""

from __future__ import annotations

from proctor.core.errors import ProctorError


class ReviewError(ProctorError):
    """A review step that the current state, the policy or the supervision rules do not allow."""
