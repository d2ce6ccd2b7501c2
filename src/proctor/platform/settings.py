"""Settings that change what is supervised: journaled data, changed only with a second person's approval.

Four-eyes thresholds decide which closings a second person sees; the firm's domains decide which
messages are external; a role decides who may approve. A hand edit of `proctor.toml` must not be
able to change any of that quietly, so after `proctor init` the database is the source of truth:
init records the file's values as the first journaled settings, later changes are proposed by one
person and approved by another (`proctor settings propose|approve`), and a file that disagrees is
ignored, with a warning naming each line, rather than obeyed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.alerts import FourEyesPolicy, Severity
from proctor.core.errors import InputError, InvalidTransition, NotFound, PermissionDenied
from proctor.core.roles import POLICY_APPROVE, POLICY_CHANGE, USER_ADMIN, Role, require
from proctor.platform.config import Config, set_line
from proctor.platform.security_tables import setting_changes, settings
from proctor.store.schema import users

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

SEVERITIES = [s.value for s in Severity]
ROLE_PREFIX = "role:"


def _severity(value: Any) -> Any:
    if value not in SEVERITIES:
        raise InputError(f"must be one of {', '.join(SEVERITIES)}", field="alerts.four_eyes_min_severity")
    return value


def _names(field: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise InputError("must be a list of names", field=field)
        return sorted({v.strip().lower() if field == "firm.domains" else v.strip() for v in value})

    return check


def _role(value: Any) -> Any:
    try:
        return Role(value).value
    except ValueError:
        raise InputError(f"unknown role {value!r}; use one of {', '.join(r.value for r in Role)}") from None


# Each supervised setting: how its value is checked, and what it is for.
KNOWN: dict[str, tuple[Callable[[Any], Any], str]] = {
    "alerts.four_eyes_min_severity": (_severity, "closings at or above this severity need a second person"),
    "alerts.four_eyes_controls": (
        _names("alerts.four_eyes_controls"),
        "controls whose closings all need one",
    ),
    "firm.domains": (_names("firm.domains"), "the firm's internet domains: internal versus external"),
}


def _check(key: str, value: Any) -> Any:
    if key.startswith(ROLE_PREFIX):
        return _role(value)
    if key not in KNOWN:
        raise InputError(f"unknown setting {key!r}; use one of {', '.join(KNOWN)} or role:USER", field="key")
    return KNOWN[key][0](value)


def file_values(config: Config) -> dict[str, Any]:
    """The supervised settings as proctor.toml states them."""
    return {
        "alerts.four_eyes_min_severity": config.four_eyes.min_severity.value,
        "alerts.four_eyes_controls": sorted(config.four_eyes.controls),
        "firm.domains": sorted(config.firm_domains),
    }


class SettingsService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.warnings: list[str] = []

    def values(self) -> dict[str, Any]:
        with self.ws.read() as conn:
            return {r.key: r.value for r in conn.execute(sa.select(settings.c.key, settings.c.value))}

    def record_initial(self, actor: str = "proctor init") -> None:
        """At init: the file's values become the first journaled settings."""
        now = self.ws.clock.now()
        with self.ws.transaction(actor) as tx:
            for key, value in file_values(self.ws.config).items():
                if tx.get(settings, key) is None:
                    tx.insert(
                        settings,
                        {"key": key, "value": value, "change_id": None, "updated_at": now},
                        "setting.recorded",
                    )

    def effective(self, config: Config) -> Config:
        """The config with supervised settings taken from the database; disagreements are warnings."""
        try:
            stored = self.values()
        except sa.exc.SQLAlchemyError:  # a database from before settings were kept
            return config
        if not stored:
            return config
        self.warnings = [
            f"proctor.toml sets {key} = {value!r} but the approved setting is {stored[key]!r}; the file is "
            f"ignored (change it with `proctor settings propose {key} ...`)"
            for key, value in file_values(config).items()
            if key in stored and stored[key] != value
        ]
        four_eyes = FourEyesPolicy(
            min_severity=Severity(
                stored.get("alerts.four_eyes_min_severity", config.four_eyes.min_severity.value)
            ),
            controls=frozenset(stored.get("alerts.four_eyes_controls", sorted(config.four_eyes.controls))),
        )
        domains = tuple(stored.get("firm.domains", config.firm_domains))
        return dataclasses.replace(config, four_eyes=four_eyes, firm_domains=domains)

    # --- changes --------------------------------------------------------------------------
    def _permissions(self, key: str) -> tuple[str, str]:
        return (USER_ADMIN, USER_ADMIN) if key.startswith(ROLE_PREFIX) else (POLICY_CHANGE, POLICY_APPROVE)

    def propose(self, key: str, value: Any, *, actor: str, reason: str) -> str:
        propose_perm, _ = self._permissions(key)
        require(self.ws.users.get(actor), propose_perm)
        if not reason.strip():
            raise InputError("a reason is required", field="--reason")
        value = _check(key, value)
        current = self._current(key)
        if current == value:
            raise InputError(f"{key} is already {value!r}", field="value")
        change_id = self.ws.ids("SET")
        with self.ws.transaction(actor) as tx:
            tx.insert(
                setting_changes,
                {
                    "id": change_id,
                    "key": key,
                    "value": value,
                    "before": current,
                    "reason": reason.strip(),
                    "status": "proposed",
                    "proposed_by": actor,
                    "proposed_at": self.ws.clock.now(),
                    "decided_by": None,
                    "decided_at": None,
                },
                "setting.change_proposed",
            )
        return change_id

    def _current(self, key: str) -> Any:
        if key.startswith(ROLE_PREFIX):
            return self.ws.users.get(key[len(ROLE_PREFIX) :]).role.value
        return self.values().get(key, file_values(self.ws.config).get(key))

    def _load(self, tx: Any, change_id: str, actor: str) -> dict[str, Any]:
        change = tx.get(setting_changes, change_id)
        if change is None:
            raise NotFound(f"no setting change {change_id!r}")
        if change["status"] != "proposed":
            raise InvalidTransition(f"setting change {change_id} is already {change['status']}")
        _, approve_perm = self._permissions(change["key"])
        require(self.ws.users.get(actor), approve_perm)
        if change["proposed_by"] == actor:
            raise PermissionDenied("four-eyes: the person who proposed a setting change cannot decide on it")
        return dict(change)

    def approve(self, change_id: str, *, actor: str) -> dict[str, Any]:
        now = self.ws.clock.now()
        with self.ws.transaction(actor) as tx:
            change = self._load(tx, change_id, actor)
            key, value = change["key"], change["value"]
            if key.startswith(ROLE_PREFIX):
                tx.update(users, key[len(ROLE_PREFIX) :], {"role": value}, "user.role_changed")
            elif tx.get(settings, key) is None:
                tx.insert(
                    settings,
                    {"key": key, "value": value, "change_id": change_id, "updated_at": now},
                    "setting.changed",
                )
            else:
                tx.update(
                    settings,
                    key,
                    {"value": value, "change_id": change_id, "updated_at": now},
                    "setting.changed",
                )
            row = tx.update(
                setting_changes,
                change_id,
                {"status": "approved", "decided_by": actor, "decided_at": now},
                "setting.change_approved",
            )
        if not key.startswith(ROLE_PREFIX):
            section, name = key.split(".", 1)
            set_line(self.ws.path, section, name, value)  # the file shows what is in force
        self.ws.config = self.effective(self.ws.config)
        return row

    def reject(self, change_id: str, *, actor: str) -> dict[str, Any]:
        with self.ws.transaction(actor) as tx:
            self._load(tx, change_id, actor)
            return tx.update(
                setting_changes,
                change_id,
                {"status": "rejected", "decided_by": actor, "decided_at": self.ws.clock.now()},
                "setting.change_rejected",
            )

    def changes(self, status: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(setting_changes).order_by(setting_changes.c.proposed_at, setting_changes.c.id)
        if status:
            query = query.where(setting_changes.c.status == status)
        with self.ws.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
