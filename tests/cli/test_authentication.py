"""Nobody acts as somebody else from the command line: `--as carl` needs carl's credentials."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROCTOR = Path(sys.executable).parent / "proctor"
PASSWORD = "correct horse"


def run(*args: str, ws: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if k not in ("PROCTOR_PASSWORD", "PROCTOR_TOKEN", "PROCTOR_USER")
    }
    return subprocess.run(
        [str(PROCTOR), *args, "-w", str(ws)],
        cwd=ws.parent,
        capture_output=True,
        text=True,
        input=stdin if stdin is not None else "",
        env={**base, "COLUMNS": "200", **env},
    )


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("auth")
    init = subprocess.run(
        [str(PROCTOR), "init", str(root / "firm"), "--domain", "harborstreet.com"],
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    path = root / "firm"
    first = run("user", "add", "ada", "--role", "admin", "--password-stdin", ws=path, stdin=PASSWORD + "\n")
    assert first.returncode == 0, first.stderr  # the very first admin needs no credentials
    for name, role in (("carl", "principal"), ("ravi", "reviewer")):
        added = run(
            "user", "add", name, "--role", role, "--as", "ada", ws=path,
            PROCTOR_PASSWORD=PASSWORD, PROCTOR_NEW_PASSWORD=PASSWORD,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    return path


def test_init_prints_and_writes_the_public_key_and_fingerprint(tmp_path):
    made = subprocess.run(
        [str(PROCTOR), "init", str(tmp_path / "new")],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert made.returncode == 0, made.stderr
    key_file = tmp_path / "new" / "journal-public-key.txt"
    public = key_file.read_text().strip().splitlines()[-1]
    assert len(public) == 64 and public in made.stdout
    assert "fingerprint sha256:" in made.stdout and str(key_file) in made.stdout


def test_acting_as_someone_needs_their_credentials(ws):
    refused = run("alerts", "list", "--as", "carl", ws=ws)
    assert refused.returncode == 2 and "needs carl's credentials" in refused.stderr
    wrong = run("alerts", "list", "--as", "carl", ws=ws, PROCTOR_PASSWORD="not carls password")
    assert wrong.returncode == 2 and "wrong password for carl" in wrong.stderr
    ok = run("--password-stdin", "alerts", "list", "--as", "carl", ws=ws, stdin=PASSWORD + "\n")
    assert ok.returncode == 0, ok.stderr


def test_the_first_user_exception_ends_with_the_first_user(ws):
    sneaky = run("user", "add", "mallory", "--role", "admin", ws=ws)
    assert sneaky.returncode == 2
    listed = run("user", "list", "--json", ws=ws)
    assert "mallory" not in listed.stdout


def test_set_password_without_credentials_changes_nothing(ws):
    hijack = run("user", "set-password", "carl", ws=ws, PROCTOR_NEW_PASSWORD="mallory-was-here")
    assert hijack.returncode == 2
    as_reviewer = run(
        "user", "set-password", "carl", "--as", "ravi", ws=ws,
        PROCTOR_PASSWORD=PASSWORD, PROCTOR_NEW_PASSWORD="mallory-was-here",
    )  # fmt: skip
    assert as_reviewer.returncode == 2 and "may not administer users" in as_reviewer.stderr
    still = run("alerts", "list", "--as", "carl", ws=ws, PROCTOR_PASSWORD=PASSWORD)
    assert still.returncode == 0, still.stderr


def test_api_tokens_authenticate_one_user_and_can_be_revoked(ws):
    made = run(
        "user", "token", "create", "--as", "ravi", "--label", "nightly", ws=ws, PROCTOR_PASSWORD=PASSWORD
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.splitlines()[0]
    assert token.startswith("pt_")
    mine = run("alerts", "list", ws=ws, PROCTOR_TOKEN=token)
    assert mine.returncode == 0, mine.stderr
    other = run("alerts", "list", "--as", "carl", ws=ws, PROCTOR_TOKEN=token)
    assert other.returncode == 2 and "belongs to ravi, not carl" in other.stderr
    forged = run("alerts", "list", ws=ws, PROCTOR_TOKEN=token[:-4] + "AAAA")
    assert forged.returncode == 2 and "not valid" in forged.stderr
    token_id = token[3:].split("_", 1)[0]
    revoked = run("user", "token", "revoke", token_id, ws=ws, PROCTOR_TOKEN=token)
    assert revoked.returncode == 0, revoked.stderr
    after = run("alerts", "list", ws=ws, PROCTOR_TOKEN=token)
    assert after.returncode == 2 and "not valid" in after.stderr


def test_repeated_wrong_passwords_lock_the_account_until_an_admin_unlocks(ws):
    for _ in range(5):
        run("alerts", "list", "--as", "ravi", ws=ws, PROCTOR_PASSWORD="guess")
    locked = run("alerts", "list", "--as", "ravi", ws=ws, PROCTOR_PASSWORD=PASSWORD)
    assert locked.returncode == 2 and "locked" in locked.stderr
    not_admin = run("user", "unlock", "ravi", "--as", "carl", ws=ws, PROCTOR_PASSWORD=PASSWORD)
    assert not_admin.returncode == 2
    unlocked = run("user", "unlock", "ravi", "--as", "ada", ws=ws, PROCTOR_PASSWORD=PASSWORD)
    assert unlocked.returncode == 0, unlocked.stderr
    assert run("alerts", "list", "--as", "ravi", ws=ws, PROCTOR_PASSWORD=PASSWORD).returncode == 0
    history = run("journal", "history", "user:ravi", "--json", ws=ws)
    assert '"user.locked_out"' in history.stdout and '"user.unlocked"' in history.stdout
