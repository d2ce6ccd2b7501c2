"""Who may do what. Enforced here, so the CLI, the API and the web pages cannot disagree.

Roles follow how a broker-dealer's compliance function is staffed: reviewers work queues,
principals supervise and approve (FINRA 3110), FINOPs own financial-responsibility computations,
auditors and examiners read everything and change nothing, admins run the installation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from proctor.core.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    PRINCIPAL = "principal"
    REVIEWER = "reviewer"
    FINOP = "finop"
    AUDITOR = "auditor"


READ = "read"
ALERT_WORK = "alert.work"  # assign to self, start review, note, propose closing
ALERT_ASSIGN = "alert.assign"  # assign to others
ALERT_APPROVE = "alert.approve"  # second pair of eyes
ALERT_VIEW_ALL = "alert.view_all"  # see every queue, not only one's own
CASE_WORK = "case.work"
CONTROL_RUN = "control.run"
USER_ADMIN = "user.admin"
POLICY_CHANGE = "policy.change"  # propose review policies, lexicons, retention, formulas
POLICY_APPROVE = "policy.approve"
NPI_VIEW = "npi.view"

PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            READ,
            ALERT_WORK,
            ALERT_ASSIGN,
            ALERT_APPROVE,
            ALERT_VIEW_ALL,
            CASE_WORK,
            CONTROL_RUN,
            USER_ADMIN,
            POLICY_CHANGE,
            POLICY_APPROVE,
            NPI_VIEW,
        }
    ),
    Role.PRINCIPAL: frozenset(
        {
            READ,
            ALERT_WORK,
            ALERT_ASSIGN,
            ALERT_APPROVE,
            ALERT_VIEW_ALL,
            CASE_WORK,
            CONTROL_RUN,
            POLICY_CHANGE,
            POLICY_APPROVE,
            NPI_VIEW,
        }
    ),
    Role.REVIEWER: frozenset({READ, ALERT_WORK, CASE_WORK, NPI_VIEW}),
    Role.FINOP: frozenset({READ, ALERT_WORK, CONTROL_RUN, POLICY_CHANGE, POLICY_APPROVE}),
    Role.AUDITOR: frozenset({READ, ALERT_VIEW_ALL, NPI_VIEW}),
}


# What each permission lets a person do, in words, for messages people read.
DESCRIPTIONS: dict[str, str] = {
    READ: "read",
    ALERT_WORK: "work alerts",
    ALERT_ASSIGN: "assign alerts to others",
    ALERT_APPROVE: "approve alert closings",
    ALERT_VIEW_ALL: "see every queue",
    CASE_WORK: "work cases",
    CONTROL_RUN: "run controls",
    USER_ADMIN: "administer users",
    POLICY_CHANGE: "propose changes to policies, rules and settings",
    POLICY_APPROVE: "approve changes to policies, rules and settings",
    NPI_VIEW: "view customers' nonpublic personal information",
}


def grant(permissions: Mapping[str, Iterable[str]], descriptions: Mapping[str, str] | None = None) -> None:
    """Add a module's own permissions to the roles it names (idempotent).

    The platform's permissions live above; each module declares its own in its `ModuleSpec`,
    and bootstrap grants them, so this file never names a module.
    """
    for permission, roles in permissions.items():
        for role in roles:
            role_ = Role(role)
            PERMISSIONS[role_] = PERMISSIONS[role_] | {permission}
    DESCRIPTIONS.update(descriptions or {})


# Modules whose whole alert queue a role works, not only the alerts assigned to its people: the
# FINOP answers for every reserve alert, whoever it is assigned to. Granted from the module specs.
SHARED_QUEUES: dict[Role, frozenset[str]] = {}


def grant_queue(role: str, module: str) -> None:
    role_ = Role(role)
    SHARED_QUEUES[role_] = SHARED_QUEUES.get(role_, frozenset()) | {module}


def shared_queues(user: User) -> frozenset[str]:
    return SHARED_QUEUES.get(user.role, frozenset()) if user.active else frozenset()


def describe(permission: str) -> str:
    return DESCRIPTIONS.get(permission, permission.replace(".", " ").replace("_", " "))


@dataclass(frozen=True)
class User:
    """An authenticated person acting in Proctor.

    `identities` are the addresses and ids under which the same person appears as the subject of
    surveillance (mailbox, chat handle, employee id): they are how self-review is refused.
    """

    name: str
    role: Role
    display_name: str = ""
    identities: frozenset[str] = field(default_factory=frozenset)
    active: bool = True

    def all_identities(self) -> frozenset[str]:
        return frozenset({self.name.lower(), *(i.lower() for i in self.identities)})


def can(user: User, permission: str) -> bool:
    return user.active and permission in PERMISSIONS[user.role]


def require(user: User, permission: str) -> None:
    if not user.active:
        raise PermissionDenied(f"user {user.name!r} is deactivated")
    if permission not in PERMISSIONS[user.role]:
        raise PermissionDenied(f"{user.name} ({user.role}) may not {describe(permission)}")


def require_not_subject(user: User, subject_ids: Iterable[str], what: str) -> None:
    """FINRA 3110(b)(6): nobody supervises or reviews an item about themselves."""
    mine = user.all_identities()
    overlap = sorted(mine.intersection(s.lower() for s in subject_ids))
    if overlap:
        raise PermissionDenied(
            f"user {user.name!r} may not act on {what}: it concerns them ({', '.join(overlap)})"
        )
