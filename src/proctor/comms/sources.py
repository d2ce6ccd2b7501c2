"""The source inventory: every place business communications are captured from.

The online-broker case lost millions of messages from group mailboxes and a customer-service
platform nobody had listed as a source. So a source is registered before anything is captured from
it, with who owns it, whom it covers, how often it must deliver, and whether capture (and review)
is actually connected. A registered source that was never connected is itself an alert.

Every change is a journaled row update, so the inventory as it stood on any day can be re-created.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from proctor.comms.tables import CAPTURE_STATES, SOURCE_KINDS, sources
from proctor.core.clock import parse_iso
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import POLICY_CHANGE, require

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,119}$")
CSV_FIELDS = (
    "name",
    "kind",
    "owner",
    "covered",
    "cadence_hours",
    "baseline_daily",
    "timezone",
    "capture_state",
    "connected_at",
    "review_connected",
    "description",
)
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}


@dataclass(frozen=True)
class SourceSpec:
    """A source as a user describes it; validated before anything is written."""

    name: str
    kind: str
    owner: str
    covered: tuple[str, ...] = ()
    cadence_hours: int = 24
    baseline_daily: int | None = None
    timezone: str | None = None
    capture_state: str = "never_connected"
    connected_at: datetime | None = None
    review_connected: bool = False
    description: str = ""

    def validate(self, file: str | None = None, row: int | None = None) -> None:
        def bad(field: str, message: str) -> InputError:
            return InputError(message, file=file, row=row, field=field)

        if not NAME.match(self.name):
            raise bad("name", f"{self.name!r} is not a source name (letters, digits, . _ @ + -)")
        if self.kind not in SOURCE_KINDS:
            raise bad("kind", f"{self.kind!r} is not one of {', '.join(SOURCE_KINDS)}")
        if not self.owner.strip():
            raise bad("owner", "every source needs an owner")
        if self.cadence_hours <= 0:
            raise bad("cadence_hours", "must be a positive number of hours")
        if self.baseline_daily is not None and self.baseline_daily < 0:
            raise bad("baseline_daily", "must not be negative")
        if self.capture_state not in CAPTURE_STATES:
            raise bad("capture_state", f"{self.capture_state!r} is not one of {', '.join(CAPTURE_STATES)}")
        if self.capture_state == "never_connected" and self.connected_at is not None:
            raise bad("connected_at", "a never-connected source has no connection time")
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise bad("timezone", f"unknown time zone {self.timezone!r}") from None


def _values(spec: SourceSpec, now: datetime) -> dict[str, Any]:
    connected_at = spec.connected_at
    if spec.capture_state == "connected" and connected_at is None:
        connected_at = now
    return {
        "name": spec.name,
        "kind": spec.kind,
        "owner": spec.owner.strip(),
        "covered": sorted({c.strip() for c in spec.covered if c.strip()}),
        "cadence_hours": spec.cadence_hours,
        "baseline_daily": spec.baseline_daily,
        "timezone": spec.timezone,
        "capture_state": spec.capture_state,
        "connected_at": connected_at,
        "review_connected": spec.review_connected,
        "description": spec.description,
    }


def add_source(ws: Workspace, spec: SourceSpec, actor: str) -> dict[str, Any]:
    """Register a source; a name already registered is refused rather than silently changed."""
    require(ws.users.get(actor), POLICY_CHANGE)
    spec.validate()
    now = ws.clock.now()
    with ws.transaction(actor) as tx:
        if tx.get(sources, spec.name) is not None:
            raise InputError(f"source {spec.name!r} is already registered", field="name")
        return tx.insert(
            sources, {**_values(spec, now), "created_at": now, "updated_at": now}, "comms.source.added"
        )


def get_source(conn: sa.Connection, name: str) -> dict[str, Any]:
    row = conn.execute(sa.select(sources).where(sources.c.name == name)).first()
    if row is None:
        raise NotFound(f"no source named {name!r}; register it with `proctor comms source add`")
    return dict(row._mapping)


def update_source(ws: Workspace, name: str, actor: str, **changes: Any) -> dict[str, Any]:
    """Change a source's inventory entry (e.g. mark capture connected); journaled with the old state."""
    require(ws.users.get(actor), POLICY_CHANGE)
    with ws.read() as conn:
        current = get_source(conn, name)
    merged = {k: current[k] for k in CSV_FIELDS if k != "covered"} | {"covered": tuple(current["covered"])}
    merged.update(changes)
    spec = SourceSpec(**merged)
    spec.validate()
    now = ws.clock.now()
    values = _values(spec, now)
    values.pop("name")
    with ws.transaction(actor) as tx:
        return tx.update(sources, name, {**values, "updated_at": now}, "comms.source.changed")


def set_capture_state(
    ws: Workspace, name: str, state: str, actor: str, at: datetime | None = None
) -> dict[str, Any]:
    """Record that capture was connected (at `at`, default now), disconnected, or never connected."""
    changes: dict[str, Any] = {"capture_state": state}
    if state == "connected":
        changes["connected_at"] = at or ws.clock.now()
    elif state == "never_connected":
        changes["connected_at"] = None
    return update_source(ws, name, actor, **changes)


# --- CSV -------------------------------------------------------------------------------------------


def _int(text: str, file: str, row: int, field: str, optional: bool = False) -> int | None:
    value = text.strip()
    if not value and optional:
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(f"not a whole number: {text!r}", file=file, row=row, field=field) from None


def _bool(text: str, file: str, row: int, field: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError(f"not yes/no: {text!r}", file=file, row=row, field=field)


def _spec_from_row(raw: dict[str, str], file: str, row: int) -> SourceSpec:
    def get(key: str) -> str:
        return (raw.get(key) or "").strip()

    connected_text = get("connected_at")
    try:
        connected_at = parse_iso(connected_text) if connected_text else None
    except ValueError:
        raise InputError(
            f"not an ISO-8601 time: {connected_text!r}", file=file, row=row, field="connected_at"
        ) from None
    state = get("capture_state") or ("connected" if connected_at else "never_connected")
    spec = SourceSpec(
        name=get("name"),
        kind=get("kind"),
        owner=get("owner"),
        covered=tuple(c for c in get("covered").split(";") if c.strip()),
        cadence_hours=_int(get("cadence_hours") or "24", file, row, "cadence_hours") or 0,
        baseline_daily=_int(get("baseline_daily"), file, row, "baseline_daily", optional=True),
        timezone=get("timezone") or None,
        capture_state=state,
        connected_at=connected_at,
        review_connected=_bool(get("review_connected"), file, row, "review_connected"),
        description=get("description"),
    )
    spec.validate(file, row)
    return spec


def read_sources_csv(data: bytes, file: str) -> list[SourceSpec]:
    """Parse and validate a whole inventory file; the first bad cell stops it, naming row and field."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=file) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [f for f in ("name", "kind", "owner") if f not in header]
    if missing:
        raise InputError(f"header lacks {', '.join(missing)}", file=file, row=1)
    unknown = [h for h in header if h not in CSV_FIELDS]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown)}", file=file, row=1)
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(reader, start=2):
        if None in raw:
            raise InputError("more fields than the header", file=file, row=index)
        spec = _spec_from_row({k.strip(): v for k, v in raw.items() if k}, file, index)
        if spec.name in seen:
            raise InputError(f"source {spec.name!r} appears twice", file=file, row=index, field="name")
        seen.add(spec.name)
        specs.append(spec)
    return specs


def import_sources_csv(ws: Workspace, path: Path, actor: str) -> dict[str, list[str]]:
    """Add new sources and update changed ones from a CSV inventory, all in one transaction."""
    require(ws.users.get(actor), POLICY_CHANGE)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    specs = read_sources_csv(data, str(path))
    now = ws.clock.now()
    result: dict[str, list[str]] = {"added": [], "changed": [], "unchanged": []}
    with ws.transaction(actor) as tx:
        for spec in specs:
            values = _values(spec, now)
            current = tx.get(sources, spec.name)
            if current is not None and spec.connected_at is None and spec.capture_state == "connected":
                values["connected_at"] = current["connected_at"] or now
            if current is None:
                tx.insert(sources, {**values, "created_at": now, "updated_at": now}, "comms.source.added")
                result["added"].append(spec.name)
            elif any(current[k] != v for k, v in values.items()):
                tx.update(sources, spec.name, {**values, "updated_at": now}, "comms.source.changed")
                result["changed"].append(spec.name)
            else:
                result["unchanged"].append(spec.name)
    return result
