"""The examiner's pack of an incident: every record in it proven against one signed tree head.

The folder uses the production manifest format (`proctor-production/1`, docs/journal.md), so the
standalone `tools/verify_proof.py DIR` checks it without Proctor:

* each record (the incident, its steps, the alerts, the activity files' records) is written as the
  canonical JSON of its state in the journal leaf that last wrote it; the file's SHA-256 is that
  leaf's `after_hash`, so the leaf's inclusion proof proves the file;
* the bytes a record names by hash (the Parquet activity files, the notices, the provider notice,
  the investigation) are proved by the record's own leaf, which names their SHA-256;
* what the pack derives (timeline, affected customers, access histories, approvals, the summary) is
  journaled when the pack is made: one `access.incident.exported` leaf lists every derived file's
  hash, which also records who exported what, when — an export is itself a view of customer NPI.

Changing any byte of any listed file, or its proof, fails verification.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.access import incidents as inc_mod
from proctor.access.activity_store import file_rows, load_events
from proctor.core.alerts import Subject
from proctor.core.canonical import encode, sha256_hex
from proctor.core.clock import iso_utc
from proctor.core.errors import InputError, IntegrityError
from proctor.core.roles import NPI_VIEW, require
from proctor.journal import query as journal
from proctor.journal.proofs import ProofBuilder

PACK_FORMAT = "proctor-production/1"
HISTORY_LIMIT = 5000


def _latest_leaf(conn: sa.Connection, kind: str, subject_id: str) -> tuple[int, dict[str, Any]]:
    newest_first = journal.JournalQuery(subject_kind=kind, subject_ids=(subject_id,), newest_first=True)
    for event in journal.events(conn, newest_first):
        if event.payload.get("after") is not None:
            return event.seq, event.payload
    raise IntegrityError(f"{kind} {subject_id} has no journaled state: it cannot be proved")


class _Pack:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.items: list[dict[str, Any]] = []  # path, sha256, role, and leaf seq (None: export leaf)
        self.records: list[str] = []  # "kind:id" of every journaled record in the pack

    def write(self, rel: str, data: bytes, role: str, seq: int | None, record: str | None = None) -> str:
        target = self.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        item = {"path": rel, "sha256": sha, "role": role, "seq": seq}
        if record is not None:
            item["record"] = record
            self.records.append(record)
        self.items.append(item)
        return sha

    def record(self, conn: sa.Connection, kind: str, subject_id: str, folder: str) -> dict[str, Any]:
        seq, doc = _latest_leaf(conn, kind, subject_id)
        data = encode(doc["after"])
        if sha256_hex(data) != doc["after_hash"]:
            raise IntegrityError(f"{kind} {subject_id}: journaled state does not hash to its leaf")
        safe = subject_id.replace("/", "_").replace(":", "_")
        self.write(f"records/{folder}/{safe}.json", data, "original", seq, f"{kind}:{subject_id}")
        state: dict[str, Any] = doc["after"]
        state["_seq"] = seq
        return state


def _default(value: Any) -> str:
    if isinstance(value, datetime):
        return iso_utc(value if value.tzinfo else value.replace(tzinfo=UTC))
    return str(value)


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=1, sort_keys=True, default=_default).encode("utf-8")


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            ["|".join(map(str, v)) if isinstance(v, list) else v for v in (row.get(c) for c in columns)]
        )
    return buffer.getvalue().encode("utf-8")


def _access_history(ws: Any, conn: sa.Connection, account: dict[str, Any]) -> dict[str, Any]:
    """One account from its person's HR events to its last activity, with every roster's view of it."""
    from proctor.access import accounts as roster
    from proctor.access import people

    hist = people.history(ws, account["employee_id"]) if account.get("employee_id") else None
    spans = [
        {
            "start": s.start,
            "notified_at": s.notified_at,
            "termination_effective": s.end,
            "end_source": s.end_source,
        }
        for s in (hist.spans if hist is not None else ())
    ]
    rosters = [
        {
            "snapshot": snap["id"],
            "as_of": snap["as_of"],
            "status": statuses.get(account["login_id"], "absent"),
        }
        for snap, statuses in roster.roster_history(ws, conn, account["system"])
    ]
    events, _ = load_events(ws, systems=[account["system"]])
    mine = events.filter(events["login_id"].str.to_lowercase() == account["login_id"].lower())
    activity = [
        {k: (iso_utc(v) if k == "ts" else v) for k, v in r.items() if k not in ("line", "import_id")}
        for r in mine.head(HISTORY_LIMIT).iter_rows(named=True)
    ]
    return {
        "system": account["system"],
        "login_id": account["login_id"],
        "employee_id": account.get("employee_id"),
        "hr_spans": spans,
        "rosters": rosters,
        "events": mine.height,
        "events_listed": len(activity),
        "first_activity": activity[0]["ts"] if activity else None,
        "last_activity": iso_utc(mine["ts"].max()) if mine.height else None,  # type: ignore[arg-type]
        "activity": activity,
    }


def export_pack(ws: Any, incident_id: str, out: Path, *, actor: str) -> dict[str, Any]:
    """Write the examiner pack of one incident into the new folder `out`."""
    require(ws.users.get(actor), NPI_VIEW)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("the output folder must be new or empty; a pack is never overwritten", file=str(out))
    out.mkdir(parents=True, exist_ok=True)
    pack = _Pack(out)
    incident = inc_mod.get(ws, incident_id)
    steps = inc_mod.steps(ws, incident_id)
    customers = inc_mod.affected_customers(ws, incident)
    with ws.read() as conn:
        state = pack.record(conn, "access.incident", incident_id, "incident")
        step_states = [pack.record(conn, "access.incident_step", s["id"], "steps") for s in steps]
        alert_states = [pack.record(conn, "alert", a, "alerts") for a in incident["alert_ids"]]
        systems = sorted({a["system"] for a in incident["accounts"]})
        days = sorted({d for a in incident["accounts"] for d in a["days"]})
        files = [f for f in file_rows(ws, systems=systems) if f["day"].isoformat() in days]
        for f in files:
            record = pack.record(conn, "access.activity_file", f["id"], "activity_files")
            pack.write(f["path"], (ws.path / f["path"]).read_bytes(), "activity_parquet", record["_seq"])
        for s in step_states:
            seq = s["_seq"]
            if s["kind"] == "notice_drafted":
                for d in s["data"]["drafts"]:
                    safe = d["customer"].replace("/", "_")
                    pack.write(
                        f"notices/customer-{safe}.txt", ws.blobs.get(d["sha256"]), "customer_notice", seq
                    )
            elif s.get("blob_sha256"):
                pack.write(
                    f"documents/{s['kind']}-{s['id']}.txt", ws.blobs.get(s["blob_sha256"]), s["kind"], seq
                )
        histories = [_access_history(ws, conn, a) for a in incident["accounts"]]
    derived: dict[str, str] = {}
    timeline = sorted(
        [
            {
                "at": s["at"],
                "recorded_at": s["recorded_at"],
                "kind": s["kind"],
                "actor": s["actor"],
                "data": s["data"],
                "journal_seq": s["_seq"],
            }
            for s in step_states
        ]
        + [
            {
                "at": e["ts"],
                "kind": f"activity.{e['action']}",
                "actor": h["login_id"],
                "data": e,
                "journal_seq": None,
            }
            for h in histories
            for e in h["activity"]
            if e["ts"][:10] in days
        ]
        + [
            {
                "at": a["created_at"],
                "kind": "alert.raised",
                "actor": a["control"],
                "data": {"id": a["id"], "title": a["title"], "severity": a["severity"]},
                "journal_seq": a["_seq"],
            }
            for a in alert_states
        ],
        key=lambda r: str(r["at"]),
    )
    derived["timeline.json"] = pack.write("timeline.json", _json(timeline), "timeline", None)
    columns = [
        "customer",
        "record_type",
        "systems",
        "logins",
        "seen",
        "downloaded",
        "exported",
        "printed",
        "first_access",
        "last_access",
    ]
    derived["affected_customers.csv"] = pack.write(
        "affected_customers.csv", _csv(customers, columns), "affected_customers", None
    )
    for h in histories:
        rel = f"access_history/{h['system']}__{h['login_id'].replace('/', '_')}.json"
        derived[rel] = pack.write(rel, _json(h), "access_history", None)
    approvals = [s for s in step_states if s["kind"].startswith("rebuttal_")]
    notices = [
        s
        for s in step_states
        if s["kind"]
        in ("notice_drafted", "notice_sent", "provider_informed", "provider_notice_received", "ag_delay")
    ]
    derived["approvals.json"] = pack.write("approvals.json", _json(approvals), "approvals", None)
    derived["notices.json"] = pack.write("notices.json", _json(notices), "notices", None)
    summary = {
        "incident": incident_id,
        "title": state["title"],
        "aware_at": state["aware_at"],
        "customer_deadline": iso_utc(inc_mod.deadline(incident)),
        "provider": state["provider"],
        "provider_deadline": state["provider_deadline"],
        "notice_status": state["notice_status"],
        "customers": len(customers),
        "accounts": len(histories),
        "alerts": len(alert_states),
        "steps": len(step_states),
        "activity_files": len(files),
        "firm": ws.config.firm_name,
        "exported_by": actor,
        "exported_at": iso_utc(ws.clock.now()),
    }
    derived["pack.json"] = pack.write("pack.json", _json(summary), "index", None)
    # The signed statement of the pack (what tools/verify_proof.py compares the manifest with):
    # every derived file's hash, and exactly which journaled records the pack holds.
    signed = {
        **summary,
        "kind": "access-incident",
        "files": derived,
        "npi": True,
        "folder": out.name,
        "records": len(pack.records),
        "record_ids": list(pack.records),
    }
    with ws.transaction(actor) as tx:
        tx.event("access.incident.exported", Subject("access.incident", incident_id), signed)
    export_seq = tx.seqs[0]
    with ws.read() as conn:
        builder = ProofBuilder(conn)
        items = []
        for item in pack.items:
            seq = export_seq if item["seq"] is None else item["seq"]
            proof_rel = f"proofs/{seq}.json"
            if not (out / proof_rel).exists():
                (out / "proofs").mkdir(exist_ok=True)
                (out / proof_rel).write_bytes(_json(builder.inclusion(seq)))
            listed = {k: v for k, v in item.items() if k != "seq"}
            items.append({**listed, "proof": proof_rel})
        head = builder.head.as_dict()
    manifest = {
        "format": PACK_FORMAT,
        "tree_head": head,
        "production": {**signed, "produced_by": actor},
        "items": items,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    written = sum(1 for f in out.rglob("*") if f.is_file())  # what is in the folder, proofs and manifest too
    counts = {"files": written, "items": len(items)}
    return {**summary, **counts, "tree_size": head["tree_size"], "folder": str(out)}
