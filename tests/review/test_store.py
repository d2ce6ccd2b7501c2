"""Policies in the workspace: journaled versions, a second person to approve, one active per policy."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from proctor.core.errors import InputError, InvalidTransition, PermissionDenied
from proctor.journal.query import subject_events
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from proctor.platform.approvals import ApprovalError
from proctor.review import DEMO_POLICY, load_policy, policy_version_hash
from proctor.review.store import (
    active_versions,
    approve_policy,
    get_version,
    import_policy,
    list_versions,
    reject_policy,
)
from proctor.review.tables import policy_versions
from proctor.store.schema import metadata
from tests.review.review_support import POLICY


def write(tmp_path: Path, doc: dict, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_a_version_is_proposed_then_approved_by_someone_else(ws: Workspace, tmp_path: Path) -> None:
    row = import_policy(ws, write(tmp_path, POLICY), "paula")
    assert row["status"] == "proposed" and row["proposed_by"] == "paula"
    with ws.read() as conn:
        assert active_versions(conn) == []
    with pytest.raises(ApprovalError, match="a different person must"):
        approve_policy(ws, row["id"], "paula")
    with pytest.raises(PermissionDenied):
        approve_policy(ws, row["id"], "ravi")  # a reviewer cannot approve procedures
    approved = approve_policy(ws, row["id"], "carl", "Matches WSP section 7.2.")
    assert (approved["status"], approved["decided_by"], approved["comment"]) == (
        "active",
        "carl",
        "Matches WSP section 7.2.",
    )
    with ws.read() as conn:
        (active,) = active_versions(conn)
        stored = get_version(conn, row["id"])
    assert active.version_hash == policy_version_hash(active.policy) == stored["version_hash"]
    assert ws.blobs.get(stored["file_sha256"]) == (tmp_path / "policy.yaml").read_bytes()
    with ws.read() as conn:
        history = [e.event_type for e in subject_events(conn, row["id"], "review.policy_version")]
    assert history == ["review.policy.proposed", "review.policy.approved"]
    assert verify_journal(ws.engine, ws.blobs).intact


def test_approving_a_new_version_supersedes_the_active_one(ws: Workspace, tmp_path: Path) -> None:
    first = import_policy(ws, write(tmp_path, POLICY), "paula")
    approve_policy(ws, first["id"], "carl")
    changed = copy.deepcopy(POLICY)
    changed["lexicon"][1]["terms"].append("can't lose")
    second = import_policy(ws, write(tmp_path, changed, "v2.yaml"), "paula")
    with ws.read() as conn:
        assert [v.id for v in active_versions(conn)] == [first["id"]], "still the old one until approved"
    approve_policy(ws, second["id"], "carl")
    with ws.read() as conn:
        rows = {r["id"]: r for r in list_versions(conn)}
        assert [v.id for v in active_versions(conn)] == [second["id"]]
    assert rows[first["id"]]["status"] == "superseded"
    assert rows[first["id"]]["superseded_by"] == second["id"]


def test_the_same_content_twice_is_refused_and_a_rejection_needs_a_reason(
    ws: Workspace, tmp_path: Path
) -> None:
    row = import_policy(ws, write(tmp_path, POLICY), "paula")
    reformatted = tmp_path / "same-content.yaml"  # other layout and key order: the same policy
    reformatted.write_text(
        "# re-typed\n" + yaml.safe_dump(dict(reversed(list(POLICY.items()))), default_flow_style=True),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="already on record as"):
        import_policy(ws, reformatted, "paula")
    with pytest.raises(InputError, match="say why"):
        reject_policy(ws, row["id"], "carl", "no")
    rejected = reject_policy(ws, row["id"], "carl", "Complaint terms must include 'arbitration'.")
    assert rejected["status"] == "rejected"
    with pytest.raises(InvalidTransition, match="rejected, not awaiting approval"):
        approve_policy(ws, row["id"], "carl")


def test_a_bad_policy_file_names_the_field_and_writes_nothing(ws: Workspace, tmp_path: Path) -> None:
    bad = copy.deepcopy(POLICY)
    bad["exclusion"] = {"quoted_replies": True}
    path = write(tmp_path, bad)
    with pytest.raises(InputError) as error:
        import_policy(ws, path, "paula")
    assert str(path) in str(error.value) and "'exclusion'" in str(error.value)
    with ws.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(policy_versions)).scalar() == 0


def test_the_demo_policy_survives_storing_unchanged(ws: Workspace) -> None:
    row = import_policy(ws, DEMO_POLICY, "paula")
    approve_policy(ws, row["id"], "carl")
    with ws.read() as conn:
        (active,) = active_versions(conn)
    assert active.version_hash == policy_version_hash(load_policy(DEMO_POLICY))
    assert active.sla_business_days == 5


def test_the_review_tables_are_migrated_exactly_as_declared(ws: Workspace) -> None:
    review = [t for t in metadata.sorted_tables if t.name.startswith("review_")]
    assert len(review) == 9
    with ws.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, metadata) if "review_" in repr(d)]
    assert diff == []
