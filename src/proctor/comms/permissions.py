"""The archive's own permissions: disposing of records and placing legal holds."""

from __future__ import annotations

RECORD_DISPOSE = "record.dispose"  # propose/approve disposal, place and release holds

GRANTS: dict[str, frozenset[str]] = {RECORD_DISPOSE: frozenset({"admin", "principal"})}
DESCRIPTIONS = {RECORD_DISPOSE: "dispose of records or change legal holds"}
