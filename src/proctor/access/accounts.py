"""Account rosters of each system, kept as dated snapshots.

A roster is the only proof that a leaver's account is gone: the firm's ticket saying so is not.
Each import stores the export's bytes and its parsed rows as blobs, journals the snapshot, and
moves the current account table to the latest snapshot's picture: accounts absent from it were
removed as of its date. A roster backfilled with an earlier date is kept for proofs but does not
move the current picture back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.access import hr
from proctor.access.people import check_as_of, zone_of
from proctor.access.permissions import ACCESS_MANAGE
from proctor.access.systems import get_system
from proctor.access.tables import accounts, roster_snapshots
from proctor.core.errors import InputError
from proctor.core.roles import require
from proctor.platform import intake

ROSTER_COLUMNS = ("login_id", "display_name", "email", "status", "created", "last_login")
STATUSES = {
    "active": "active",
    "enabled": "active",
    "disabled": "disabled",
    "inactive": "disabled",
    "suspended": "disabled",
    "locked": "disabled",
}


@dataclass(frozen=True)
class AccountRow:
    login_id: str
    display_name: str
    email: str
    status: str  # active / disabled / unknown (a quarantined row: not proven disabled)
    created: str = ""
    last_login: str = ""
    external_id: str = ""  # an employee number the system itself carries (SCIM enterprise extension)


def account_id(system: str, login_id: str) -> str:
    return f"{system}:{login_id}"


ROSTER_INTAKE = (
    intake.Column("login_id", required=True),
    intake.Column("display_name"),
    intake.Column("email"),
    intake.Column(
        "status",
        required=True,
        check=lambda v: None if v.lower() in STATUSES else f"status must be active or disabled, not {v!r}",
    ),
    intake.Column("created"),
    intake.Column("last_login"),
    intake.Column("employee_id"),
)


def read_csv(data: bytes, file: str, zone: Any = None) -> tuple[list[AccountRow], list[dict[str, Any]]]:
    """Roster rows through the platform's tabular intake; bad rows quarantined, never dropped.

    A quarantined row whose login id can be read stays in the snapshot as `unknown`: leaving it out
    would read as "removed" and close a leaver's task on a line nobody could parse.
    """
    table = intake.read_csv(
        data,
        file,
        ROSTER_INTAKE,
        quarantine=True,
        missing_message=lambda m: f"missing column(s) {', '.join(m)}; expected {','.join(ROSTER_COLUMNS)}",
    )
    zone = zone or hr.firm_zone({})
    rows: list[AccountRow] = []
    seen: set[str] = set()
    for row in list(table.rows):
        login = row.get("login_id")
        try:
            if not login:
                raise row.error("login_id", "blank login id")
            if login in seen:
                raise row.error("login_id", f"login id {login!r} repeated")
            rows.append(
                AccountRow(
                    login,
                    row.get("display_name"),
                    row.get("email").lower(),
                    STATUSES[row.get("status").lower()],
                    hr.parse_instant(row.get("created"), zone, file=file, row=row.number, field="created"),
                    hr.parse_instant(
                        row.get("last_login"), zone, file=file, row=row.number, field="last_login"
                    ),
                    row.get("employee_id"),
                )
            )
            seen.add(login)
        except InputError as exc:
            intake.accept(table, row, exc, quarantine=True)
    for bad in table.quarantined:
        login = (bad.cells.get("login_id") or "").strip()
        if login and login not in seen:
            seen.add(login)
            rows.append(
                AccountRow(
                    login,
                    bad.cells.get("display_name") or "",
                    (bad.cells.get("email") or "").lower(),
                    "unknown",
                )
            )
    errors = [{"file": file, "row": q.row, "field": q.field, "error": q.reason} for q in table.quarantined]
    return rows, sorted(errors, key=lambda e: int(e["row"]))


def read_scim(data: bytes, file: str) -> tuple[list[AccountRow], list[dict[str, Any]]]:
    """SCIM Users as accounts: userName is the login id, active the status."""
    rows: list[AccountRow] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, (path, user) in enumerate(hr.scim_resources(data, file), start=1):
        login = str(user.get("userName") or "").strip()
        if not login or login in seen:
            errors.append(
                {
                    "file": file,
                    "row": number,
                    "field": f"{path}.userName",
                    "error": "blank userName" if not login else f"userName {login!r} repeated",
                }
            )
            continue
        seen.add(login)
        name = user.get("name") or {}
        display = str(
            user.get("displayName")
            or name.get("formatted")
            or " ".join(str(name.get(k) or "") for k in ("givenName", "familyName")).strip()
        )
        meta = user.get("meta") or {}
        ent = user.get(hr.SCIM_ENTERPRISE) or {}
        rows.append(
            AccountRow(
                login,
                display,
                hr.scim_email(user),
                "active" if user.get("active", True) else "disabled",
                str(meta.get("created") or "") if isinstance(meta, Mapping) else "",
                "",
                str(ent.get("employeeNumber") or "") if isinstance(ent, Mapping) else "",
            )
        )
    return rows, errors


_ROWS: dict[tuple[str, str], tuple[AccountRow, ...]] = {}


def snapshot_rows(ws: Any, sha: str) -> tuple[AccountRow, ...]:
    """Parsed rows of a roster snapshot (content-addressed, so caching by hash is safe)."""
    key = (str(ws.path), sha)
    if key not in _ROWS:
        if len(_ROWS) > 256:
            _ROWS.clear()
        _ROWS[key] = tuple(AccountRow(**r) for r in json.loads(ws.blobs.get(sha)))
    return _ROWS[key]


def roster_history(ws: Any, conn: sa.Connection, system: str) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """Each snapshot of a system, oldest first, with {login_id: status} as it showed them."""
    snaps = conn.execute(
        sa.select(roster_snapshots)
        .where(roster_snapshots.c.system == system)
        .order_by(roster_snapshots.c.as_of, roster_snapshots.c.id)
    ).all()
    return [
        (dict(s._mapping), {r.login_id: r.status for r in snapshot_rows(ws, s.rows_sha256)}) for s in snaps
    ]


def latest_snapshot(conn: sa.Connection, system: str) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(roster_snapshots)
        .where(roster_snapshots.c.system == system)
        .order_by(roster_snapshots.c.as_of.desc(), roster_snapshots.c.id.desc())
        .limit(1)
    ).one_or_none()
    return dict(row._mapping) if row is not None else None


def _t(text: str) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def import_roster(
    ws: Any, system: str, path: Path, *, actor: str, as_of: datetime | None = None, fmt: str = "auto"
) -> dict[str, Any]:
    """Store one roster snapshot, move the current accounts to it, correlate, and close tasks it proves."""
    from proctor.access import sync

    require(ws.users.get(actor), ACCESS_MANAGE)
    moment = check_as_of(ws, as_of)
    get_system(ws, system)
    data = path.read_bytes()
    kind = hr.detect_format(path, data) if fmt == "auto" else fmt
    if kind == "scim":
        rows, errors = read_scim(data, str(path))
    elif kind == "csv":
        rows, errors = read_csv(data, str(path), zone_of(ws))
    else:
        raise InputError(f"unknown format {fmt!r} (csv, scim)", field="--format")
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("active", "disabled", "unknown")}
    with ws.transaction(actor) as tx:
        raw_sha = tx.put_blob(data)
        rows_sha = tx.put_blob(json.dumps([asdict(r) for r in rows], sort_keys=True).encode())
        snap = tx.insert(
            roster_snapshots,
            {
                "id": ws.ids("ros"),
                "system": system,
                "as_of": moment,
                "source": path.name,
                "format": kind,
                "raw_sha256": raw_sha,
                "rows_sha256": rows_sha,
                "rows": len(rows),
                "counts": counts,
                "quarantined": errors,
                "imported_by": actor,
                "imported_at": ws.clock.now(),
            },
            "access.roster_snapshot.imported",
        )
        latest = latest_snapshot(tx.conn, system)
        diff = {
            "added": 0,
            "changed": 0,
            "removed": 0,
            "backfilled": latest is not None and latest["id"] != snap["id"],
        }
        if not diff["backfilled"]:
            diff.update(apply_snapshot(tx, system, snap, rows))
        refreshed = sync.refresh(ws, tx, systems=[system], at=moment)
    return {
        "snapshot": snap["id"],
        "system": system,
        "as_of": moment,
        "rows": len(rows),
        "quarantined": len(errors),
        "errors": errors,
        **counts,
        **diff,
        **refreshed,
    }


def apply_snapshot(tx: Any, system: str, snap: Mapping[str, Any], rows: list[AccountRow]) -> dict[str, int]:
    existing = {
        r.login_id: dict(r._mapping)
        for r in tx.conn.execute(sa.select(accounts).where(accounts.c.system == system))
    }
    at = snap["as_of"]
    added, changed, removed = [], 0, 0
    seen = set()
    for r in rows:
        seen.add(r.login_id)
        values = {
            "display_name": r.display_name,
            "email": r.email,
            "external_id": r.external_id,
            "status": r.status,
            "created": _t(r.created),
            "last_login": _t(r.last_login),
            "last_seen": at,
            "removed_at": None,
            "last_snapshot": snap["id"],
        }
        old = existing.get(r.login_id)
        if old is None:
            added.append(
                {
                    "id": account_id(system, r.login_id),
                    "system": system,
                    "login_id": r.login_id,
                    "first_seen": at,
                    "situation": "unmatched",
                    "employee_id": None,
                    "rule": "",
                    "candidates": [],
                    **values,
                }
            )
        elif any(old[k] != v for k, v in values.items() if k not in ("last_seen", "last_snapshot")):
            tx.update(accounts, old["id"], values, "access.account.changed")
            changed += 1
    for login, old in existing.items():
        if login not in seen and old["status"] != "removed":
            tx.update(
                accounts,
                old["id"],
                {"status": "removed", "removed_at": at, "last_snapshot": snap["id"]},
                "access.account.removed",
            )
            removed += 1
    tx.insert_many(accounts, added, "access.account.added")
    return {"added": len(added), "changed": changed, "removed": removed}


def list_accounts(
    ws: Any, system: str | None = None, conn: sa.Connection | None = None
) -> list[dict[str, Any]]:
    if conn is None:
        with ws.read() as c:
            return list_accounts(ws, system, c)
    query = sa.select(accounts).order_by(accounts.c.system, accounts.c.login_id)
    if system:
        query = query.where(accounts.c.system == system)
    return [dict(r._mapping) for r in conn.execute(query)]
