"""One error family for the whole product.

The CLI turns any ProctorError into a single line and exit code 2, and the web layer into a 4xx
answer, so a user always sees what was wrong with their input instead of a traceback.
"""

from __future__ import annotations


class ProctorError(Exception):
    """Base of every error a user can cause and fix."""

    exit_code = 2


class InputError(ProctorError):
    """Bad input, located as precisely as the source allows (file, row, field)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.field = field
        self.detail = message
        where = []
        if file is not None:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{': '.join([', '.join(where), message]) if where else message}")


class PermissionDenied(ProctorError):
    """The acting user's role or relation to the item does not allow the action."""


class NotFound(ProctorError):
    """A named item (alert, case, user, control, record) does not exist."""


class InvalidTransition(ProctorError):
    """A workflow step that the item's current status does not allow."""


class IntegrityError(ProctorError):
    """Stored records and the journal disagree: evidence of alteration or loss."""

    exit_code = 1
