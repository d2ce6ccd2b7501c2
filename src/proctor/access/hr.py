"""Reading HR exports: the standard CSV, other layouts through a column map, SCIM 2.0 Users.

Every layout becomes the same `HrRow`. Bad rows are quarantined with file, row and field; a row
whose employee id could still be read keeps that person present in the snapshot (with their
previous attributes), because dropping them would make them look like a leaver.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from proctor.core.errors import InputError
from proctor.platform.intake import decode_text

STATUSES = ("active", "notified", "terminated", "leave")
WORKER_TYPES = ("employee", "contractor", "vendor_staff")
STANDARD_COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "work_email",
    "status",
    "worker_type",
    "hire_date",
    "termination_effective",
    "last_day_worked",
    "manager_id",
    "crd_number",
    "u5_filed",
)
SCIM_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# Optional extension for HR dates SCIM core lacks (termination, last day worked).
SCIM_WORKER = "urn:proctor:params:scim:schemas:extension:worker:1.0"


@dataclass(frozen=True)
class HrRow:
    """One person as one HR export shows them."""

    employee_id: str
    first_name: str
    last_name: str
    work_email: str
    status: str
    worker_type: str
    hire_date: str = ""  # ISO date or ""
    termination_effective: str = ""  # ISO instant (UTC) or ""
    last_day_worked: str = ""  # ISO date or ""
    manager_id: str = ""
    crd_number: str = ""
    u5_filed: str = ""  # "yes" / "no" / "" (not stated)
    middle_name: str = ""
    quarantined: bool = False  # present, but the row was bad: attributes carried forward

    def as_dict(self) -> dict[str, Any]:
        # every field is a str or bool: a shallow copy is the same as dataclasses.asdict, ~20x faster
        return dict(self.__dict__)


@dataclass(frozen=True)
class ColumnMap:
    """How another HR layout's columns and values map onto the standard ones.

    `columns` maps each standard field (plus `full_name` and `middle_name`) to the source column
    names that may hold it; `status` and `worker_type` translate the layout's vocabulary.
    `default_status` applies when the layout has no status column (a directory that lists only
    people currently on the roster).
    """

    name: str
    columns: Mapping[str, Sequence[str]]
    status: Mapping[str, str]
    worker_type: Mapping[str, str]
    default_status: str = ""
    default_worker_type: str = "employee"


def _identity(fields: Sequence[str]) -> dict[str, tuple[str, ...]]:
    return {f: (f,) for f in fields}


STANDARD = ColumnMap(
    "standard",
    _identity(STANDARD_COLUMNS),
    {s: s for s in STATUSES},
    {w: w for w in WORKER_TYPES},
)
MIDPOINT = ColumnMap(
    "midpoint",
    {
        "employee_id": ("empnum", "employeenumber"),
        "first_name": ("firstname",),
        "last_name": ("surname",),
        "status": ("status",),
        "worker_type": ("emptype",),
    },
    {"in": "active", "active": "active", "long-term leave": "leave", "former employee": "terminated"},
    {"fte": "employee", "pte": "employee", "contractor": "contractor"},
)
CERT_LDAP = ColumnMap(
    "cert_ldap",
    {"employee_id": ("user_id",), "full_name": ("employee_name",), "work_email": ("email",)},
    {},
    {},
    default_status="active",
)
BUILTIN_MAPS = {m.name: m for m in (STANDARD, MIDPOINT, CERT_LDAP)}


def load_column_map(spec: str) -> ColumnMap:
    """A built-in map by name, or a JSON file {"columns": {...}, "status": {...}, ...}."""
    if spec in BUILTIN_MAPS:
        return BUILTIN_MAPS[spec]
    path = Path(spec)
    if not path.is_file():
        raise InputError(f"unknown column map {spec!r}: use {', '.join(BUILTIN_MAPS)} or a JSON file")
    try:
        doc = json.loads(path.read_text("utf-8"))
        columns = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in doc["columns"].items()}
        return ColumnMap(
            path.stem,
            columns,
            {str(k).lower(): str(v) for k, v in doc.get("status", {}).items()},
            {str(k).lower(): str(v) for k, v in doc.get("worker_type", {}).items()},
            str(doc.get("default_status", "")),
            str(doc.get("default_worker_type", "employee")),
        )
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise InputError(f"not a column map: {exc}", file=str(path)) from None


def firm_zone(config_section: Mapping[str, Any]) -> ZoneInfo:
    return ZoneInfo(str(config_section.get("timezone") or "America/New_York"))


def parse_instant(text: str, zone: ZoneInfo, *, file: str, row: int, field: str) -> str:
    """ISO-8601 with offset as UTC; a date alone is the start of that day in the firm's zone."""
    value = text.strip()
    if not value:
        return ""
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time(0), tzinfo=zone)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise InputError("an instant needs a UTC offset", file=file, row=row, field=field)
    except ValueError:
        raise InputError(f"not an ISO-8601 instant: {value!r}", file=file, row=row, field=field) from None
    return moment.astimezone(UTC).isoformat()


def _date(text: str, *, file: str, row: int, field: str) -> str:
    value = text.strip()
    if not value:
        return ""
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {value!r}", file=file, row=row, field=field) from None


def split_name(full: str) -> tuple[str, str, str]:
    """'Calvin Edward Rios' -> (Calvin, Edward, Rios); 'Rios, Calvin' -> (Calvin, '', Rios)."""
    text = full.strip()
    if "," in text:
        last, _, rest = text.partition(",")
        parts = rest.split()
        return (parts[0] if parts else "", " ".join(parts[1:]), last.strip())
    parts = text.split()
    if len(parts) == 1:
        return parts[0], "", ""
    return parts[0], " ".join(parts[1:-1]), parts[-1] if parts else ""


def _lookup(mapping: Mapping[str, str], value: str, *, file: str, row: int, field: str) -> str:
    key = value.strip().lower()
    if key in mapping:
        return mapping[key]
    raise InputError(
        f"unknown value {value!r} (expected {', '.join(sorted(mapping))})", file=file, row=row, field=field
    )


def read_csv(
    data: bytes, file: str, cmap: ColumnMap, zone: ZoneInfo
) -> tuple[list[HrRow], list[dict[str, Any]]]:
    """Rows and quarantined errors; a missing identifying column refuses the whole file."""
    reader = csv.DictReader(io.StringIO(decode_text(data, file)))
    header = [h.strip() for h in reader.fieldnames or []]
    source: dict[str, str] = {}
    for target, names in cmap.columns.items():
        found = next((h for h in header if h.lower() in {n.lower() for n in names}), None)
        if found is not None:
            source[target] = found
    if "employee_id" not in source:
        raise InputError(
            f"no employee id column (looked for {', '.join(cmap.columns['employee_id'])})",
            file=file,
            row=1,
            field="employee_id",
        )
    if "status" not in source and not cmap.default_status:
        raise InputError("no status column", file=file, row=1, field="status")
    rows: list[HrRow] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        record = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}

        def get(target: str, record: dict[str, str] = record) -> str:
            return record.get(source[target], "") if target in source else ""

        employee_id = get("employee_id")
        try:
            if not employee_id:
                raise InputError("blank employee id", file=file, row=number, field=source["employee_id"])
            if employee_id in seen:
                raise InputError(
                    f"employee id {employee_id!r} repeated",
                    file=file,
                    row=number,
                    field=source["employee_id"],
                )
            rows.append(_row(get, source, employee_id, cmap, zone, file, number))
        except InputError as exc:
            errors.append({"file": file, "row": number, "field": exc.field, "error": exc.detail})
            if employee_id and employee_id not in seen:
                rows.append(HrRow(employee_id, "", "", "", "", "", quarantined=True))
        seen.add(employee_id)
    return rows, errors


def _row(
    get: Any,
    source: Mapping[str, str],
    employee_id: str,
    cmap: ColumnMap,
    zone: ZoneInfo,
    file: str,
    number: int,
) -> HrRow:
    first, middle, last = get("first_name"), get("middle_name"), get("last_name")
    if "full_name" in source and not (first or last):
        first, middle, last = split_name(get("full_name"))
    status_raw = get("status")
    status = (
        _lookup(cmap.status, status_raw, file=file, row=number, field=source.get("status", "status"))
        if status_raw
        else cmap.default_status
    )
    if status not in STATUSES:
        raise InputError(
            f"blank or unknown status {status_raw!r}",
            file=file,
            row=number,
            field=source.get("status", "status"),
        )
    wt_raw = get("worker_type")
    worker_type = (
        _lookup(cmap.worker_type, wt_raw, file=file, row=number, field=source["worker_type"])
        if wt_raw
        else cmap.default_worker_type
    )
    u5 = get("u5_filed").lower()
    if u5 not in {"", "yes", "no", "true", "false", "y", "n"}:
        raise InputError(f"expected yes or no, got {u5!r}", file=file, row=number, field="u5_filed")
    return HrRow(
        employee_id=employee_id,
        first_name=first,
        last_name=last,
        middle_name=middle,
        work_email=get("work_email").lower(),
        status=status,
        worker_type=worker_type,
        hire_date=_date(get("hire_date"), file=file, row=number, field="hire_date"),
        termination_effective=parse_instant(
            get("termination_effective"), zone, file=file, row=number, field="termination_effective"
        ),
        last_day_worked=_date(get("last_day_worked"), file=file, row=number, field="last_day_worked"),
        manager_id=get("manager_id"),
        crd_number=get("crd_number"),
        u5_filed={"y": "yes", "true": "yes", "n": "no", "false": "no"}.get(u5, u5),
    )


def scim_resources(data: bytes, file: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(path, User) pairs from a ListResponse, a bare list, or one resource."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not JSON: {exc}", file=file) from None
    if isinstance(doc, Mapping) and isinstance(doc.get("Resources"), list):
        items = [(f"Resources[{i}]", r) for i, r in enumerate(doc["Resources"])]
    elif isinstance(doc, list):
        items = [(f"[{i}]", r) for i, r in enumerate(doc)]
    elif isinstance(doc, Mapping):
        items = [("$", doc)]
    else:
        raise InputError("expected a SCIM ListResponse, a list of Users or one User", file=file)
    for path, item in items:
        if not isinstance(item, Mapping):
            raise InputError("expected a SCIM User object", file=file, field=path)
    return items


def scim_email(user: Mapping[str, Any]) -> str:
    emails = [e for e in user.get("emails") or [] if isinstance(e, Mapping) and e.get("value")]
    primary = (
        [e for e in emails if e.get("primary")] or [e for e in emails if e.get("type") == "work"] or emails
    )
    if primary:
        return str(primary[0]["value"]).strip().lower()
    name = str(user.get("userName") or "")
    return name.lower() if "@" in name else ""


def read_scim(data: bytes, file: str, zone: ZoneInfo) -> tuple[list[HrRow], list[dict[str, Any]]]:
    """SCIM 2.0 Users (RFC 7643 §4.1) with the enterprise extension's employeeNumber and manager."""
    rows: list[HrRow] = []
    errors: list[dict[str, Any]] = []
    for number, (path, user) in enumerate(scim_resources(data, file), start=1):
        ent = user.get(SCIM_ENTERPRISE) or {}
        worker = user.get(SCIM_WORKER) or {}
        employee_id = str(ent.get("employeeNumber") or user.get("externalId") or "").strip()
        if not employee_id:
            errors.append(
                {
                    "file": file,
                    "row": number,
                    "field": f"{path}.employeeNumber",
                    "error": "no employeeNumber or externalId",
                }
            )
            continue
        name = user.get("name") or {}
        first, middle, last = (
            str(name.get("givenName") or ""),
            str(name.get("middleName") or ""),
            str(name.get("familyName") or ""),
        )
        if not (first or last) and (user.get("displayName") or name.get("formatted")):
            first, middle, last = split_name(str(user.get("displayName") or name.get("formatted")))
        manager = ent.get("manager") or {}
        try:
            termination = parse_instant(
                str(worker.get("terminationEffective") or ""),
                zone,
                file=file,
                row=number,
                field=f"{path}.terminationEffective",
            )
            status = str(worker.get("status") or ("active" if user.get("active", True) else "terminated"))
            if status not in STATUSES:
                raise InputError(f"unknown status {status!r}", file=file, row=number, field=f"{path}.status")
        except InputError as exc:
            errors.append({"file": file, "row": number, "field": exc.field, "error": exc.detail})
            rows.append(HrRow(employee_id, "", "", "", "", "", quarantined=True))
            continue
        user_type = str(user.get("userType") or "employee").strip().lower().replace(" ", "_")
        rows.append(
            HrRow(
                employee_id=employee_id,
                first_name=first,
                middle_name=middle,
                last_name=last,
                work_email=scim_email(user),
                status=status,
                worker_type=user_type if user_type in WORKER_TYPES else "employee",
                hire_date=str(worker.get("hireDate") or "")[:10],
                termination_effective=termination,
                last_day_worked=str(worker.get("lastDayWorked") or "")[:10],
                manager_id=str(manager.get("value") or "") if isinstance(manager, Mapping) else "",
                crd_number=str(worker.get("crdNumber") or ""),
            )
        )
    return rows, errors


def detect_format(path: Path, data: bytes) -> str:
    head = data.lstrip()[:1]
    return "scim" if path.suffix.lower() == ".json" or head in (b"{", b"[") else "csv"


def auto_map(data: bytes) -> ColumnMap:
    """The standard map when the header is the standard one, else the first built-in that fits."""
    first_line = data.decode("utf-8-sig", errors="replace").splitlines()[0] if data else ""
    header = {re.sub(r'"', "", h).strip().lower() for h in first_line.split(",")}
    for cmap in (STANDARD, MIDPOINT, CERT_LDAP):
        if header & {n.lower() for n in cmap.columns["employee_id"]}:
            return cmap
    return STANDARD
