"""Communications archive: capture of e-mail, chat and customer-service messages (SEA 17a-4).

Public API of the importers::

    from proctor.comms import iter_items, detect_format, ParseOptions
    for item in iter_items(Path("export.zip")):          # format detected
        if isinstance(item, Message): ...                 # original bytes + normalised view
        else: ...                                         # Quarantined: bytes + reason

Every item read is yielded exactly once as a Message or a Quarantined item, so the number of
items read always reconciles to stored plus quarantined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from proctor.comms.model import (
    ROLES,
    Attachment,
    CommsError,
    Direction,
    Message,
    ParsedItem,
    ParseOptions,
    Participant,
    Quarantined,
    direction,
)

if TYPE_CHECKING:
    from proctor.comms.formats import FORMATS, detect_format, iter_items

__all__ = [
    "FORMATS",
    "ROLES",
    "Attachment",
    "CommsError",
    "Direction",
    "Message",
    "ParseOptions",
    "ParsedItem",
    "Participant",
    "Quarantined",
    "detect_format",
    "direction",
    "iter_items",
]

_FORMATS = ("FORMATS", "detect_format", "iter_items")


def __getattr__(name: str) -> Any:
    """The importers load on first use: opening a workspace needs the archive's tables, not its parsers."""
    if name in _FORMATS:
        from proctor.comms import formats

        return getattr(formats, name)
    raise AttributeError(f"module 'proctor.comms' has no attribute {name!r}")
