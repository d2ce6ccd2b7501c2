"""The register of systems that hold or reach customer information, vendor systems included.

The case's firm had no list tying people to accounts on the insurer's system, so it never told the
insurer who left. A system is registered here before its roster can be imported, with the clock
that matters for it: how fast a leaver's access must go (the deprovisioning SLA) and how often the
firm must see a fresh roster to prove it did.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from proctor.access.permissions import ACCESS_MANAGE
from proctor.access.tables import systems
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import require

KINDS = ("connected", "vendor")
DEFAULT_SLA = {"connected": timedelta(hours=1), "vendor": timedelta(hours=24)}
DEFAULT_CADENCE = {"connected": timedelta(days=1), "vendor": timedelta(days=7)}


def parse_duration(text: str, option: str) -> timedelta:
    """'90m', '1h', '24h', '7d' (or plain seconds)."""
    value = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    try:
        if value and value[-1] in units:
            seconds = float(value[:-1]) * units[value[-1]]
        else:
            seconds = float(value)
    except ValueError:
        raise InputError(f"not a duration like 1h, 24h or 7d: {text!r}", field=option) from None
    if seconds <= 0:
        raise InputError("a duration must be positive", field=option)
    return timedelta(seconds=seconds)


def add_system(
    ws: Any,
    name: str,
    *,
    kind: str,
    actor: str,
    npi: bool = False,
    owner: str = "",
    sla: timedelta | None = None,
    vendor_contact: str = "",
    roster_cadence: timedelta | None = None,
    description: str = "",
) -> dict[str, Any]:
    require(ws.users.get(actor), ACCESS_MANAGE)
    name = name.strip()
    if not name or any(c in name for c in " /\\:"):
        raise InputError(f"a system name is one word without / \\ or ':' ({name!r})", field="NAME")
    if kind not in KINDS:
        raise InputError(f"kind must be connected or vendor, not {kind!r}", field="--kind")
    if kind == "vendor" and "@" not in vendor_contact:
        raise InputError("a vendor system needs the vendor's contact e-mail", field="--vendor-contact")
    if owner:
        ws.users.get(owner)
    with ws.transaction(actor) as tx:
        if tx.get(systems, name) is not None:
            raise InputError(f"system {name!r} is already registered", field="NAME")
        row: dict[str, Any] = tx.insert(
            systems,
            {
                "name": name,
                "owner": owner,
                "kind": kind,
                "npi": npi,
                "sla_seconds": int((sla or DEFAULT_SLA[kind]).total_seconds()),
                "vendor_contact": vendor_contact,
                "roster_cadence_seconds": int((roster_cadence or DEFAULT_CADENCE[kind]).total_seconds()),
                "description": description,
                "created_by": actor,
                "created_at": ws.clock.now(),
            },
            "access.system.registered",
        )
    return row


def list_systems(ws: Any, conn: sa.Connection | None = None) -> list[dict[str, Any]]:
    if conn is None:
        with ws.read() as c:
            return list_systems(ws, c)
    return [dict(r._mapping) for r in conn.execute(sa.select(systems).order_by(systems.c.name))]


def get_system(ws: Any, name: str, conn: sa.Connection | None = None) -> dict[str, Any]:
    if conn is None:
        with ws.read() as c:
            return get_system(ws, name, c)
    row = conn.execute(sa.select(systems).where(systems.c.name == name)).one_or_none()
    if row is None:
        raise NotFound(f"no system named {name!r}; see `proctor access system list`")
    return dict(row._mapping)
