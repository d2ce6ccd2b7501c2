"""Activity logs in: Okta System Log, Entra ID sign-ins, AWS CloudTrail and a generic vendor CSV.

Every format reduces to one event shape (`EVENT_COLUMNS`) so the detections never care where an
event came from. A line that cannot be read is never dropped: it comes back as a `Quarantined`
item naming the line and the reason, and the import stores it with the batch. Timestamps must carry
a zone (or be defined as UTC by the format): a time of unknown zone cannot place an event before or
after a termination, which is the one question these logs exist to answer.

The generic CSV is for vendor ("third-party") systems, which rarely have an identity provider:

    ts,login_id,action,record_id,record_type,client_ip,detail

`ts` is ISO-8601 with an offset; `action` is one of `ACTIONS`; `record_id`/`record_type` name the
customer record touched (record_type `customer` for a customer's own record); an optional
`outcome` column (success / failure) and `session_id` column are read when present.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from proctor.core.errors import InputError

ACTIONS = frozenset(
    {"login", "logout", "view", "search", "download", "export", "print", "upload", "delete", "other"}
)
# Actions that show a person used the system (post-termination rule) and those that take data out.
USE_ACTIONS = frozenset({"login", "view", "search", "download", "export", "print"})
EXFIL_ACTIONS = frozenset({"download", "export", "print"})
OUTCOMES = frozenset({"success", "failure"})
GENERIC_COLUMNS = ("ts", "login_id", "action", "record_id", "record_type", "client_ip", "detail")
FORMATS = ("okta", "entra", "cloudtrail", "csv")

# The normalised event: what every parser returns and what the store writes to Parquet.
EVENT_COLUMNS = (
    "ts",
    "login_id",
    "action",
    "outcome",
    "record_id",
    "record_type",
    "client_ip",
    "session_id",
    "event_id",
    "detail",
    "line",
    "event_key",
)


@dataclass(frozen=True)
class Quarantined:
    line: int
    reason: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "text": self.text[:500]}


@dataclass
class Parsed:
    format: str
    events: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    lines: int = 0  # data lines seen (header excluded): stored + quarantined


class _Bad(Exception):
    """A line-level problem; the parser turns it into a quarantine item."""


def _key(system: str, fmt: str, text: str) -> str:
    return hashlib.sha256(f"{system}\x1f{fmt}\x1f{text}".encode()).hexdigest()[:32]


def parse_instant(text: Any, where: str = "ts") -> datetime:
    """ISO-8601 with a zone (Z or offset); more than six fractional digits are cut to microseconds."""
    if not isinstance(text, str) or not text.strip():
        raise _Bad(f"{where} is missing")
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "." in value:
        head, _, rest = value.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        value = f"{head}.{digits[:6].ljust(6, '0')}{rest}" if digits else f"{head}{rest}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(f"{where} {text!r} is not an ISO-8601 instant") from None
    if moment.tzinfo is None:
        raise _Bad(f"{where} {text!r} has no time zone offset")
    return moment.astimezone(UTC)


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text if text and text.lower() not in ("null", "none") else None


def _event(
    system: str,
    fmt: str,
    raw: str,
    line: int,
    *,
    ts: datetime,
    login_id: str | None,
    action: str,
    outcome: str,
    record_id: str | None = None,
    record_type: str | None = None,
    client_ip: str | None = None,
    session_id: str | None = None,
    event_id: str | None = None,
    detail: str = "",
) -> dict[str, Any]:
    if not login_id:
        raise _Bad("no login id (actor) in the event")
    return {
        "ts": ts,
        "login_id": login_id,
        "action": action,
        "outcome": outcome,
        "record_id": record_id,
        "record_type": record_type,
        "client_ip": client_ip,
        "session_id": session_id,
        "event_id": event_id,
        "detail": detail,
        "line": line,
        "event_key": _key(system, fmt, raw),
    }


def _json_lines(data: bytes, parsed: Parsed) -> Iterator[tuple[int, str, dict[str, Any]]]:
    text = _decode(data)
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parsed.lines += 1
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError as exc:
            parsed.quarantined.append(Quarantined(number, f"not JSON: {exc.msg} at column {exc.colno}", raw))
            continue
        if not isinstance(doc, dict):
            parsed.quarantined.append(Quarantined(number, "not a JSON object", raw))
            continue
        yield number, raw, doc


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})") from None


def _guarded(parsed: Parsed, number: int, raw: str, build: Callable[[], dict[str, Any]]) -> None:
    try:
        parsed.events.append(build())
    except _Bad as exc:
        parsed.quarantined.append(Quarantined(number, str(exc), raw))


# ---------------------------------------------------------------------------------------- Okta

_OKTA_ACTIONS = {"user.session.start": "login", "user.session.end": "logout"}


def parse_okta(data: bytes, system: str) -> Parsed:
    """Okta System Log API events, one JSON object per line (the /api/v1/logs export)."""
    parsed = Parsed("okta")
    for number, raw, doc in _json_lines(data, parsed):

        def build(doc: dict[str, Any] = doc, raw: str = raw, number: int = number) -> dict[str, Any]:
            actor = doc.get("actor") or {}
            outcome = (doc.get("outcome") or {}).get("result")
            event_type = _str(doc.get("eventType"))
            if event_type is None:
                raise _Bad("eventType is missing")
            result = _str(outcome)
            if result is None:
                raise _Bad("outcome.result is missing")
            return _event(
                system,
                "okta",
                raw,
                number,
                ts=parse_instant(doc.get("published"), "published"),
                login_id=_str(actor.get("alternateId")) if isinstance(actor, dict) else None,
                action=_OKTA_ACTIONS.get(event_type, "other"),
                outcome="success" if result.upper() in ("SUCCESS", "ALLOW") else "failure",
                client_ip=_str((doc.get("client") or {}).get("ipAddress")),
                session_id=_str((doc.get("authenticationContext") or {}).get("externalSessionId")),
                event_id=_str(doc.get("uuid")),
                detail=event_type,
            )

        _guarded(parsed, number, raw, build)
    return parsed


# --------------------------------------------------------------------------------------- Entra


def parse_entra(data: bytes, system: str) -> Parsed:
    """Entra ID sign-in logs as Azure Monitor diagnostic records (one JSON object per line).

    resultType "0" is a successful sign-in; every other code (50140, "keep me signed in"
    interrupt, included) is a failure. Service-principal sign-ins name the principal instead of a
    user, so it becomes the login id.
    """
    parsed = Parsed("entra")
    for number, raw, doc in _json_lines(data, parsed):

        def build(doc: dict[str, Any] = doc, raw: str = raw, number: int = number) -> dict[str, Any]:
            props = doc.get("properties") or {}
            if not isinstance(props, dict):
                raise _Bad("properties is not an object")
            result = _str(doc.get("resultType", props.get("status", {}).get("errorCode")))
            if result is None:
                raise _Bad("resultType is missing")
            login = (
                _str(props.get("userPrincipalName"))
                or _str(props.get("servicePrincipalName"))
                or _str(props.get("servicePrincipalId"))
            )
            category = _str(doc.get("category")) or "SignInLogs"
            return _event(
                system,
                "entra",
                raw,
                number,
                ts=parse_instant(doc.get("time") or props.get("createdDateTime"), "time"),
                login_id=login,
                action="login",
                outcome="success" if result == "0" else "failure",
                client_ip=_str(doc.get("callerIpAddress") or props.get("ipAddress")),
                session_id=_str(props.get("sessionId") or props.get("correlationId")),
                event_id=_str(props.get("id")),
                detail=f"{category} {result} {_str(doc.get('resultDescription')) or ''}".strip()[:300],
            )

        _guarded(parsed, number, raw, build)
    return parsed


# ---------------------------------------------------------------------------------- CloudTrail

_S3_ACTIONS = {
    "GetObject": "download",
    "HeadObject": "view",
    "ListObjects": "search",
    "ListObjectsV2": "search",
    "ListBucket": "search",
    "PutObject": "upload",
    "DeleteObject": "delete",
}


def _ct_login(identity: dict[str, Any]) -> str | None:
    return _str(identity.get("userName")) or _str(identity.get("arn")) or _str(identity.get("principalId"))


def _cloudtrail_record(system: str, raw: str, number: int, rec: dict[str, Any]) -> dict[str, Any]:
    identity = rec.get("userIdentity") or {}
    name = _str(rec.get("eventName"))
    if name is None:
        raise _Bad("eventName is missing")
    source = _str(rec.get("eventSource")) or ""
    failed = _str(rec.get("errorCode")) is not None
    record_id = record_type = None
    if name == "ConsoleLogin":
        action = "login"
        response = rec.get("responseElements") or {}
        result = response.get("ConsoleLogin") if isinstance(response, dict) else None
        failed = failed or (result is not None and str(result) != "Success")
    elif source == "s3.amazonaws.com":
        action = _S3_ACTIONS.get(name, "other")
        params = rec.get("requestParameters") or {}
        bucket, key = _str(params.get("bucketName")), _str(params.get("key"))
        if bucket:
            record_id, record_type = f"s3://{bucket}/{key or ''}", "s3_object"
    else:
        action = "other"
    return _event(
        system,
        "cloudtrail",
        raw,
        number,
        ts=parse_instant(rec.get("eventTime"), "eventTime"),
        login_id=_ct_login(identity) if isinstance(identity, dict) else None,
        action=action,
        outcome="failure" if failed else "success",
        record_id=record_id,
        record_type=record_type,
        client_ip=_str(rec.get("sourceIPAddress")),
        session_id=_str(identity.get("accessKeyId")) if isinstance(identity, dict) else None,
        event_id=_str(rec.get("eventID")),
        detail=f"{source} {name}".strip(),
    )


def _sentinel_time(text: str) -> datetime:
    """Log Analytics' UI export writes `dd/mm/yyyy, HH:MM:SS.fff` in UTC (the column says so)."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y, %H:%M:%S.%f").replace(tzinfo=UTC)
    except ValueError:
        raise _Bad(f"TimeGenerated [UTC] {text!r} is not dd/mm/yyyy, HH:MM:SS.fff") from None


def _sentinel_row(system: str, raw: str, number: int, row: dict[str, str]) -> dict[str, Any]:
    name = _str(row.get("EventName"))
    if name != "ConsoleLogin":
        raise _Bad(f"EventName {name!r}: only ConsoleLogin rows are read from this export")
    try:
        response = json.loads(row.get("ResponseElements") or "{}")
    except json.JSONDecodeError:
        raise _Bad("ResponseElements is not JSON") from None
    result = response.get("ConsoleLogin") if isinstance(response, dict) else None
    failed = _str(row.get("ErrorCode")) is not None or (result is not None and result != "Success")
    return _event(
        system,
        "cloudtrail",
        raw,
        number,
        ts=_sentinel_time(row.get("TimeGenerated [UTC]") or ""),
        login_id=_str(row.get("UserIdentityUserName")) or _str(row.get("UserIdentityArn")),
        action="login",
        outcome="failure" if failed else "success",
        client_ip=_str(row.get("SourceIpAddress")),
        session_id=_str(row.get("UserIdentityAccessKeyId")),
        event_id=_str(row.get("AwsEventId")),
        detail=f"{row.get('EventSource', '')} ConsoleLogin {row.get('ErrorMessage', '')}".strip()[:300],
    )


def parse_cloudtrail(data: bytes, system: str) -> Parsed:
    """CloudTrail as delivered to S3 (`{"Records": [...]}`), as JSON lines, or as the Microsoft
    Sentinel `AWSCloudTrail` CSV export; console logins and S3 data events are read."""
    parsed = Parsed("cloudtrail")
    text = _decode(data)
    stripped = text.lstrip()
    if stripped.startswith("{") and '"Records"' in stripped[:200]:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"CloudTrail file is not JSON: {exc.msg} at line {exc.lineno}") from None
        records = doc.get("Records") if isinstance(doc, dict) else None
        if not isinstance(records, list):
            raise InputError("CloudTrail file has no Records list", field="Records")
        for number, rec in enumerate(records, start=1):
            parsed.lines += 1
            raw = json.dumps(rec, sort_keys=True)
            if not isinstance(rec, dict):
                parsed.quarantined.append(Quarantined(number, "record is not a JSON object", raw))
                continue
            _guarded(parsed, number, raw, partial(_cloudtrail_record, system, raw, number, rec))
        return parsed
    if stripped.startswith("{"):
        for number, raw, rec in _json_lines(data, parsed):
            _guarded(parsed, number, raw, partial(_cloudtrail_record, system, raw, number, rec))
        return parsed
    for number, raw, row in _csv_rows(text, parsed, ("EventName", "TimeGenerated [UTC]")):
        _guarded(parsed, number, raw, partial(_sentinel_row, system, raw, number, row))
    return parsed


# ------------------------------------------------------------------------------------- generic


def _csv_rows(
    text: str, parsed: Parsed, required: tuple[str, ...]
) -> Iterator[tuple[int, str, dict[str, str]]]:
    """Rows with their first physical line number and their raw text (for quarantine and keys)."""
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty: no header row") from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", row=1, field=missing[0])
    start = reader.line_num + 1
    for values in reader:
        end = reader.line_num
        raw = "".join(lines[start - 1 : end]).rstrip("\r\n")
        number, start = start, end + 1
        if not values or all(not v.strip() for v in values):
            continue
        parsed.lines += 1
        if len(values) != len(header):
            parsed.quarantined.append(
                Quarantined(number, f"{len(values)} fields where the header has {len(header)}", raw)
            )
            continue
        yield number, raw, dict(zip(header, values, strict=True))


def _generic_row(system: str, raw: str, number: int, row: dict[str, str]) -> dict[str, Any]:
    action = (row.get("action") or "").strip().lower()
    if not action:
        raise _Bad("action is missing")
    if action not in ACTIONS:
        raise _Bad(f"action {action!r} is not one of {', '.join(sorted(ACTIONS))}")
    outcome = (row.get("outcome") or "success").strip().lower() or "success"
    if outcome not in OUTCOMES:
        raise _Bad(f"outcome {outcome!r} is not success or failure")
    record_id = _str(row.get("record_id"))
    if action in EXFIL_ACTIONS | {"view"} and record_id is None:
        raise _Bad(f"a {action} needs a record_id (which record was touched)")
    return _event(
        system,
        "csv",
        raw,
        number,
        ts=parse_instant(row.get("ts"), "ts"),
        login_id=_str(row.get("login_id")),
        action=action,
        outcome=outcome,
        record_id=record_id,
        record_type=_str(row.get("record_type")),
        client_ip=_str(row.get("client_ip")),
        session_id=_str(row.get("session_id")),
        event_id=_str(row.get("event_id")),
        detail=(row.get("detail") or "").strip()[:500],
    )


def parse_generic(data: bytes, system: str) -> Parsed:
    parsed = Parsed("csv")
    for number, raw, row in _csv_rows(_decode(data), parsed, GENERIC_COLUMNS):
        _guarded(parsed, number, raw, partial(_generic_row, system, raw, number, row))
    return parsed


PARSERS: dict[str, Callable[[bytes, str], Parsed]] = {
    "okta": parse_okta,
    "entra": parse_entra,
    "cloudtrail": parse_cloudtrail,
    "csv": parse_generic,
}


def sniff(data: bytes, name: str) -> str:
    """The format of a file when `--format` is not given, from its first bytes."""
    head = data[:4000].decode("utf-8", "replace").lstrip("\ufeff").lstrip()
    if head.startswith("{"):
        first = head.splitlines()[0] if head.splitlines() else head
        if '"Records"' in head[:200] or '"eventSource"' in first:
            return "cloudtrail"
        if '"eventType"' in first and '"published"' in first:
            return "okta"
        if '"operationName"' in first or '"resultType"' in first:
            return "entra"
        raise InputError("JSON file of unknown log format; pass --format", file=name)
    first_line = head.splitlines()[0] if head else ""
    if "AwsEventId" in first_line or "EventName" in first_line:
        return "cloudtrail"
    if first_line.replace(" ", "").startswith("ts,login_id,action"):
        return "csv"
    raise InputError("unknown log format; pass --format okta|entra|cloudtrail|csv", file=name)


def parse(data: bytes, system: str, fmt: str | None, name: str = "") -> Parsed:
    chosen = fmt or sniff(data, name)
    if chosen not in PARSERS:
        raise InputError(f"unknown format {chosen!r}; one of {', '.join(FORMATS)}", field="--format")
    try:
        return PARSERS[chosen](data, system)
    except InputError as exc:
        if exc.file is None:
            raise InputError(exc.detail, file=name, row=exc.row, field=exc.field) from None
        raise
