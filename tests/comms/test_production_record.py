"""A production states its records in its own signed leaf: removing one, adding a file or editing the
production block fails both the product's verifier and the examiner's standalone one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from proctor.comms.production_verify import verify_production
from tests.comms.test_production import archive, produce, public_key, standalone  # noqa: F401


def remove_record(out: Path) -> str:
    """What a firm hiding one message would do: delete its files and every manifest entry naming it."""
    manifest = json.loads((out / "manifest.json").read_text())
    victim = next(i["record"] for i in manifest["items"] if i.get("role") == "original")
    manifest["items"] = [i for i in manifest["items"] if i.get("record") != victim]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    shutil.rmtree(out / "records" / victim)
    for proof in (out / "proofs").glob(f"{victim}.*"):
        proof.unlink()
    return victim


def test_the_signed_production_record_lists_every_record(archive, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "production"
    result = produce(archive, out, sources=("desk-mail",))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["production"]["records"] == result["records"] == len(manifest["production"]["record_ids"])
    assert verify_production(out, public_key(archive)).valid
    assert standalone(str(out), "--public-key", public_key(archive)).returncode == 0


def test_removing_a_record_with_its_manifest_entries_fails_both_verifiers(archive, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "production"
    produce(archive, out, sources=("desk-mail",))
    remove_record(out)
    check = verify_production(out, public_key(archive))
    assert not check.valid
    assert any("signed are not in the manifest" in f["problem"] for f in check.failures)
    tool = standalone(str(out), "--public-key", public_key(archive))
    assert tool.returncode == 1 and "FAIL  all " in tool.stdout


def test_an_added_file_fails_the_standalone_verifier_too(archive, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "production"
    produce(archive, out, sources=("desk-mail",))
    (out / "records" / "note-to-self.txt").write_text("not part of the production")
    assert not verify_production(out, public_key(archive)).valid
    tool = standalone(str(out), "--public-key", public_key(archive))
    assert tool.returncode == 1 and "not listed: records/note-to-self.txt" in tool.stdout


def test_editing_the_production_block_fails(archive, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "production"
    produce(archive, out, sources=("desk-mail",))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["production"]["request"] = "a different, narrower request"
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    check = verify_production(out, public_key(archive))
    assert any("differs from the signed record in request" in f["problem"] for f in check.failures)
    tool = standalone(str(out), "--public-key", public_key(archive))
    assert tool.returncode == 1 and "production block is exactly what the firm signed" in tool.stdout


def test_a_production_publishes_its_tree_head_to_the_witness(archive, tmp_path: Path) -> None:  # noqa: F811
    from dataclasses import replace

    from proctor.journal import witness

    folder = tmp_path / "witness-volume"
    archive.config = replace(archive.config, raw={**archive.config.raw, "journal": {"witness": str(folder)}})
    out = tmp_path / "production"
    produce(archive, out, sources=("desk-mail",))
    head = json.loads((out / "manifest.json").read_text())["tree_head"]
    witnessed = witness.load_witnessed(witness.open_witness(folder))
    assert [w.tree_size for w in witnessed] == [head["tree_size"]]
