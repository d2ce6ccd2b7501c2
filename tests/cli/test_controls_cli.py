"""`proctor controls run --as-of` evaluates now or an earlier instant, never a future one."""

from __future__ import annotations

from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.core.errors import InputError

runner = CliRunner()


def test_a_run_as_of_a_future_instant_is_refused_and_records_nothing(ws) -> None:
    args = ["controls", "run", "platform.journal_integrity", "--workspace", str(ws.path), "--as", "paula"]
    refused = runner.invoke(app, [*args, "--as-of", "2999-01-01T00:00:00Z"])
    assert isinstance(refused.exception, InputError)  # `proctor` prints it as one line, exit 2
    assert "field '--as-of'" in str(refused.exception) and "is in the future" in str(refused.exception)
    assert ws.controls.history("platform.journal_integrity") == []
    done = runner.invoke(app, [*args, "--as-of", "2020-01-01T00:00:00Z", "--json"])
    assert done.exit_code == 0, done.output
    assert [r["as_of"].year for r in ws.controls.history("platform.journal_integrity")] == [2020]
