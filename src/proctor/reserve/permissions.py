"""The reserve module's own permissions: who computes the reserve and who signs it off."""

from __future__ import annotations

RESERVE_WORK = "reserve.work"  # load inputs, compute, explain variances
RESERVE_SIGNOFF = "reserve.signoff"  # sign off a computation of record

GRANTS: dict[str, frozenset[str]] = {
    RESERVE_WORK: frozenset({"finop", "admin"}),
    RESERVE_SIGNOFF: frozenset({"finop"}),
}
DESCRIPTIONS = {
    RESERVE_WORK: "work on reserve computations",
    RESERVE_SIGNOFF: "sign off reserve computations",
}
