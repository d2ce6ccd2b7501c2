"""The access module's own permissions: who registers systems and imports feeds, who decides links."""

from __future__ import annotations

ACCESS_MANAGE = "access.manage"  # register systems, import HR, rosters and agreements
ACCESS_REVIEW = "access.review"  # confirm or reject correlation candidates, certify access

GRANTS: dict[str, frozenset[str]] = {
    ACCESS_MANAGE: frozenset({"admin", "principal"}),
    ACCESS_REVIEW: frozenset({"principal", "reviewer"}),
}
DESCRIPTIONS = {
    ACCESS_MANAGE: "manage access systems and feeds",
    ACCESS_REVIEW: "review account links and certify access",
}
