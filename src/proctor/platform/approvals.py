"""Approvals: a proposal that needs N distinct approvers, none of them the proposer.

A control that one person can change alone is not a control (FINRA 3110, SEA 17a-4 disposal,
15c3-3 formula changes). Every module that puts a change under four (or six) eyes asks the same
question in the same words: may this person approve this proposal now, and is it then approved?
This module answers it once, with one call shape and one error type, so the rule cannot drift
between modules. It does not store anything: the proposal's own row (a retention version, a
policy version, a formula proposal, a disposal) keeps its status and approvals and is written by
the caller in the same transaction as whatever the approval sets in motion.

Usage::

    from proctor.platform.approvals import FOUR_EYES, ApprovalRule, approve, reject

    # inside the caller's transaction, with the proposal row just read:
    decision = approve(
        ws, actor,
        what=f"retention version {row['version']}",     # named in every refusal
        proposer=row["proposed_by"],
        status=row["status"],                           # must be "proposed" (rule.open_status)
        approvals=row.get("approvals") or [],           # earlier approvals, for N > 1
        rule=FOUR_EYES,                                 # or ApprovalRule(approvers=2) for six eyes
    )
    if decision.complete:                               # the last approval needed
        tx.update(table, key, {"status": "approved", "approvals": decision.records()}, "...approved")
    else:
        tx.update(table, key, {"approvals": decision.records()}, "...approval_recorded")

    reject(ws, actor, what=..., proposer=..., status=...)   # same checks, no tally

Refusals: the role lacks the rule's permission -> `PermissionDenied` (from `core.roles.require`);
the proposal is no longer awaiting a decision -> `InvalidTransition`; the proposer approves, or an
approver approves twice -> :class:`ApprovalError` (a `PermissionDenied`, so the CLI prints one line
and the web answers 403).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from proctor.core.errors import InvalidTransition, PermissionDenied
from proctor.core.roles import POLICY_APPROVE, require

if TYPE_CHECKING:
    from proctor.core.workspace import Workspace


class ApprovalError(PermissionDenied):
    """An approval the two-person rule refuses: one's own proposal, or a second vote by one person."""


@dataclass(frozen=True)
class ApprovalRule:
    """How many distinct people must approve, with which permission, from which status."""

    approvers: int = 1
    permission: str = POLICY_APPROVE
    open_status: str = "proposed"

    def __post_init__(self) -> None:
        if self.approvers < 1:
            raise ValueError("an approval rule needs at least one approver")


FOUR_EYES = ApprovalRule()
SIX_EYES = ApprovalRule(approvers=2)


@dataclass(frozen=True)
class Approval:
    """One person's approval, as stored on the proposal (user, role, ISO time)."""

    user: str
    role: str = ""
    at: str = ""

    @classmethod
    def of(cls, value: Approval | Mapping[str, Any] | str) -> Approval:
        if isinstance(value, Approval):
            return value
        if isinstance(value, str):
            return cls(value)
        return cls(str(value["user"]), str(value.get("role", "")), str(value.get("at", "")))

    def as_dict(self) -> dict[str, str]:
        return {"user": self.user, "role": self.role, "at": self.at}


@dataclass(frozen=True)
class Decision:
    """The approvals after this one, and whether they are now enough."""

    approvals: tuple[Approval, ...]
    complete: bool
    required: int

    @property
    def approvers(self) -> list[str]:
        return [a.user for a in self.approvals]

    def records(self) -> list[dict[str, str]]:
        return [a.as_dict() for a in self.approvals]


def tally(
    what: str,
    proposer: str,
    approvals: Iterable[Approval | Mapping[str, Any] | str],
    required: int = 1,
) -> Decision:
    """Pure: count distinct approvers; refuse the proposer and a person listed twice."""
    seen: list[Approval] = []
    for value in approvals:
        approval = Approval.of(value)
        if approval.user == proposer:
            raise ApprovalError(
                f"{proposer} proposed {what}: the proposer cannot approve it; a different person must"
            )
        if any(a.user == approval.user for a in seen):
            raise ApprovalError(f"{approval.user} has already approved {what}")
        seen.append(approval)
    return Decision(tuple(seen), len(seen) >= required, required)


def _check_open(what: str, status: str, rule: ApprovalRule) -> None:
    if status != rule.open_status:
        raise InvalidTransition(f"{what} is {status}, not awaiting approval")


def approve(
    ws: Workspace,
    actor: str,
    *,
    what: str,
    proposer: str,
    status: str,
    approvals: Iterable[Approval | Mapping[str, Any] | str] = (),
    rule: ApprovalRule = FOUR_EYES,
) -> Decision:
    """Check that `actor` may approve now and return the tally including their approval."""
    user = ws.users.get(actor)
    require(user, rule.permission)
    _check_open(what, status, rule)
    me = Approval(actor, user.role.value, ws.clock.now().isoformat())
    return tally(what, proposer, [*approvals, me], rule.approvers)


def reject(
    ws: Workspace,
    actor: str,
    *,
    what: str,
    proposer: str,
    status: str,
    rule: ApprovalRule = FOUR_EYES,
    proposer_may_withdraw: bool = False,
) -> None:
    """Check that `actor` may turn the proposal down: same permission, and not the proposer unless
    the workflow lets a proposer withdraw their own proposal (nothing takes effect either way)."""
    require(ws.users.get(actor), rule.permission)
    _check_open(what, status, rule)
    if actor == proposer and not proposer_may_withdraw:
        raise ApprovalError(f"{actor} proposed {what}: a different person must decide on it")
