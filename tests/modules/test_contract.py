"""The module contract: every module keeps the seam's promises, and adding one is one line.

Everything above the modules loops over `ModuleSpec`s, so these checks are what stop a module from
quietly skipping a step (a control named after another module, an evidence type nobody can show,
a module without documentation, a migration folder the platform never runs).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from proctor import bootstrap
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.controls import ControlContext, ControlOutcome, ControlSpec
from proctor.core.errors import InputError
from proctor.core.modules import ModuleSpec, deferred, resolve_enabled, validate_modules
from proctor.core.roles import PERMISSIONS, Role

REPO = Path(__file__).resolve().parents[2]


def test_every_control_is_named_after_its_module() -> None:
    for spec in bootstrap.specs():
        assert spec.controls, f"module {spec.name} has no controls"
        for control in spec.controls:
            assert control.name.startswith(f"{spec.name}.") and control.module == spec.name


def test_every_module_has_docs_cli_and_migrations() -> None:
    for spec in bootstrap.specs():
        assert spec.docs and (REPO / spec.docs).is_file(), f"{spec.name}: no docs at {spec.docs!r}"
        assert spec.migrations and any(spec.migrations.glob("*.py")), f"{spec.name}: no migrations"
        assert spec.cli, f"{spec.name}: no CLI group"
        assert spec.seed_demo is not None, f"{spec.name}: no demo part"
        assert spec.alert_role in {r.value for r in Role}, f"{spec.name}: alert_role {spec.alert_role!r}"
        for table in spec.tables:
            assert isinstance(table, sa.Table)


def test_every_module_permission_is_granted_to_a_role() -> None:
    bootstrap.specs()
    for spec in bootstrap.specs():
        for permission, roles in spec.permissions.items():
            assert roles, permission
            for role in roles:
                assert permission in PERMISSIONS[Role(role)]


def test_a_control_named_after_another_module_is_refused() -> None:
    stray = ControlSpec(
        "other.check", "A check", "other", timedelta(days=1), lambda ctx: ControlOutcome(0, "")
    )
    with pytest.raises(ValueError, match="must be named"):
        ModuleSpec(name="mine", title="Mine", controls=(stray,))


def test_modules_must_list_what_they_require_first() -> None:
    a = ModuleSpec(name="a", title="A")
    b = ModuleSpec(name="b", title="B", requires=("a",))
    assert [s.name for s in validate_modules([a, b])] == ["a", "b"]
    with pytest.raises(ValueError, match="requires a"):
        validate_modules([b, a])
    with pytest.raises(InputError, match="needs a enabled"):
        resolve_enabled([a, b], ["b"])
    with pytest.raises(InputError, match="unknown module"):
        resolve_enabled([a, b], ["a", "zzz"])


def _wiretap_control(ctx: ControlContext) -> ControlOutcome:
    finding = AlertDraft(
        control="wiretap.listen",
        rule_id="wiretap.rule",
        rule_version="1",
        title="A line was heard",
        severity=Severity.LOW,
        subjects=(Subject("line", "L1"),),
        evidence={"line": "L1"},
        evidence_type="wiretap_line",
        dedupe_key="wiretap-L1",
    )
    return ControlOutcome(1, "h", [finding])


def test_adding_a_module_is_one_package_and_one_line(tmp_path, monkeypatch, clock) -> None:
    """A module defined here joins the registry, renderers, CLI and roles by one entry in MODULES."""
    import sys
    import types

    import typer

    package = types.ModuleType("proctor.wiretap")
    plugin = types.ModuleType("proctor.wiretap.plugin")
    group = typer.Typer(help="Wiretap.")

    @group.command("hello")
    def hello() -> None:
        print("wiretap says hello")

    cli_module = types.ModuleType("proctor.wiretap.cli")
    cli_module.app = group  # type: ignore[attr-defined]
    plugin.SPEC = ModuleSpec(  # type: ignore[attr-defined]
        name="wiretap",
        title="Wiretap",
        controls=(ControlSpec("wiretap.listen", "Listen", "wiretap", timedelta(days=1), _wiretap_control),),
        evidence_renderers={"wiretap_line": lambda evidence: [("kv", evidence)]},
        permissions={"wiretap.listen": frozenset({"principal"})},
        cli="proctor.wiretap.cli:app",
        alert_role="principal",
    )
    monkeypatch.setitem(sys.modules, "proctor.wiretap", package)
    monkeypatch.setitem(sys.modules, "proctor.wiretap.plugin", plugin)
    monkeypatch.setitem(sys.modules, "proctor.wiretap.cli", cli_module)
    monkeypatch.setattr(bootstrap, "MODULES", [*bootstrap.MODULES, "wiretap"])

    assert "wiretap.listen" in bootstrap.build_registry()
    assert "wiretap_line" in bootstrap.build_renderers()
    assert "wiretap.listen" in PERMISSIONS[Role.PRINCIPAL]

    from proctor.core.ids import SequentialIds

    bootstrap.init_workspace(
        tmp_path / "ws", firm="Harbor Street Securities LLC", domains=["harborstreet.com"]
    )
    ws = bootstrap.open_workspace(tmp_path / "ws", clock=clock, ids=SequentialIds())
    try:
        ws.users.add("ada", "admin", actor="ada", password="correct horse")
        run = ws.controls.run("wiretap.listen", actor="ada")
        assert run["outcome"] == "findings" and len(run["alert_ids"]) == 1
        alert = ws.alerts.get(run["alert_ids"][0])
        assert alert["run_id"] == run["id"]
    finally:
        ws.close()

    from proctor.cli import main

    monkeypatch.setattr(main.ProctorGroup, "lazy", dict(main.ProctorGroup.lazy))  # restored after
    main.mount_modules()  # the module is registered at run time, not listed in bootstrap.py
    result = CliRunner().invoke(main.app, ["wiretap", "hello"])
    assert result.exit_code == 0 and "wiretap says hello" in result.output


def test_a_workspace_runs_only_the_controls_of_its_modules(tmp_path, clock) -> None:
    from proctor.core.ids import SequentialIds

    bootstrap.init_workspace(tmp_path / "ws", modules=["comms"])
    ws = bootstrap.open_workspace(tmp_path / "ws", clock=clock, ids=SequentialIds())
    try:
        names = {s.name for s in ws.registry.all()}
        assert ws.modules == ("comms",)
        assert any(n.startswith("comms.") for n in names)
        assert not any(n.startswith(("review.", "reserve.")) for n in names)
        ws.users.add("ada", "admin", actor="ada", password="correct horse")
        runs = ws.controls.run_all(actor="ada")
        assert not any(r["control"].startswith(("review.", "reserve.")) for r in runs)
        bootstrap.set_modules(ws, ["comms", "review"], actor="ada", reason="review starts in January")
    finally:
        ws.close()
    ws = bootstrap.open_workspace(tmp_path / "ws", clock=clock, ids=SequentialIds())
    try:
        assert ws.modules == ("comms", "review")
        assert "review.selection" in ws.registry
    finally:
        ws.close()


def test_a_hand_edit_of_the_modules_setting_is_refused(tmp_path) -> None:
    bootstrap.init_workspace(tmp_path / "ws", modules=["comms", "review", "reserve"])
    toml = tmp_path / "ws" / "proctor.toml"
    toml.write_text(toml.read_text().replace('"comms", "review", "reserve"', '"comms"'))
    with pytest.raises(InputError, match="journaled setting"):
        bootstrap.open_workspace(tmp_path / "ws")


def test_only_an_admin_changes_modules_and_says_why(ws) -> None:
    from proctor.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="administer users"):
        bootstrap.set_modules(ws, ["comms"], actor="paula", reason="x")
    with pytest.raises(InputError, match="reason"):
        bootstrap.set_modules(ws, ["comms"], actor="ada", reason=" ")


GENERIC_EVIDENCE = {"table"}  # a plain table: the platform's default blocks show it


def test_demo_alerts_have_renderers_and_name_the_run_that_raised_them(ws) -> None:
    """Every evidence type a module raises can be shown, and every alert names its control run."""
    from proctor.platform.alerts import AlertQuery
    from proctor.store.schema import control_runs

    bootstrap.seed_demos(ws, "ada")
    for spec in ws.registry.all():
        ws.controls.run(spec.name, actor="paula")
    renderers = bootstrap.build_renderers()
    rows, total = ws.alerts.query(AlertQuery(page_size=100_000))
    assert total > 0
    with ws.read() as conn:
        runs = {r.id for r in conn.execute(sa.select(control_runs.c.id))}
    for row in rows:
        alert = ws.alerts.get(row["id"])
        module = alert["control"].split(".", 1)[0]
        # The platform's own controls, and the runner's alerts about any control (failed, no input),
        # are shown by the platform's default blocks.
        if module != "platform" and not alert["rule_id"].startswith("platform.control."):
            shown = alert["evidence_type"] in renderers or alert["evidence_type"] in GENERIC_EVIDENCE
            assert shown, alert["id"]
        assert alert["run_id"] in runs, f"{alert['id']} ({alert['control']}) names no recorded run"


def test_a_spec_names_what_it_runs_without_loading_it() -> None:
    code = (
        "import sys\n"
        "from proctor.core.modules import deferred\n"
        "fmt = deferred('proctor.reserve.money:fmt')\n"
        "print(fmt.__name__, 'proctor.reserve.money' in sys.modules)\n"
        "print(fmt(123456), 'proctor.reserve.money' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    from proctor.reserve.money import fmt

    assert out.splitlines() == ["fmt False", f"{fmt(123456)} True"]
    assert deferred("proctor.reserve.money:fmt").__module__ == "proctor.reserve.money"


def test_the_migration_heads_read_from_source_are_alembics(ws) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from proctor.platform.migrate import MIGRATIONS, alembic_config, is_current, literal_heads

    folders = bootstrap.migration_folders()
    read = literal_heads([MIGRATIONS / "versions", *folders])
    alembic = ScriptDirectory.from_config(alembic_config("sqlite://", folders))
    assert read == set(alembic.get_heads())
    assert {s.name for s in bootstrap.specs()} <= {head.split("_")[0] for head in read}  # every module's
    # A migrated workspace is at its heads, though Alembic stores no row for a revision that another
    # one depends on; one version behind, it is not.
    url = str(ws.engine.url.render_as_string(hide_password=False))
    assert is_current(url, folders)
    with ws.engine.begin() as conn:
        stored = MigrationContext.configure(conn).get_current_heads()
        newest = next(h for h in stored if h.startswith("access_"))
        conn.execute(
            sa.text("UPDATE alembic_version SET version_num = :older WHERE version_num = :newest"),
            {"older": alembic.get_revision(newest).down_revision, "newest": newest},
        )
    assert not is_current(url, folders)


def test_a_migration_that_names_its_revision_otherwise_is_left_to_alembic(tmp_path) -> None:
    from proctor.platform.migrate import literal_heads

    (tmp_path / "a_0001.py").write_text('revision = "a_0001"\ndown_revision = None\n')
    (tmp_path / "a_0002.py").write_text('revision = "a_0002"\ndown_revision = ("a_0001",)\n')
    assert literal_heads([tmp_path]) == {"a_0002"}
    (tmp_path / "a_0003.py").write_text('revision = REVISIONS["next"]\ndown_revision = "a_0002"\n')
    assert literal_heads([tmp_path]) is None
