#!/usr/bin/env python3
"""Set up and run Proctor on a fresh machine with only Python 3.11: `python3 dev.py demo|test`.

`demo` creates .venv from the lock file (once; again only when the lock changes) and runs
`proctor demo`. `test` does the same, makes sure PostgreSQL and Chromium are installed and running
and Java is there for PySpark (Debian packages, installed when missing), then runs lint, type checks,
the import contracts and the whole test suite on SQLite and PostgreSQL.
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".proctor-lock-sha256"
PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def say(text: str) -> None:
    print(f"\033[1m==> {text}\033[0m", flush=True)


def run(cmd: list[str], **kwargs: object) -> int:
    return subprocess.call(cmd, cwd=ROOT, **kwargs)  # type: ignore[call-overload,no-any-return]


def must(cmd: list[str], **kwargs: object) -> None:
    code = run(cmd, **kwargs)
    if code != 0:
        sys.exit(f"command failed ({code}): {' '.join(cmd)}")


def lock_digest() -> str:
    h = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def setup() -> None:
    if sys.version_info[:2] < (3, 11):  # noqa: UP036 - this file runs on whatever python3 is
        sys.exit("Proctor needs Python 3.11 or newer")
    if not (BIN / "python").exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == lock_digest():
        return
    say("installing locked dependencies")
    must([str(BIN / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    must([str(BIN / "python"), "-m", "pip", "install", "-q", "-r", "requirements.lock"])
    must([str(BIN / "python"), "-m", "pip", "install", "-q", "--no-deps", "-e", "."])
    STAMP.write_text(lock_digest())


def apt_install(*packages: str) -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"please install {' '.join(packages)} (Debian packages); needs root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    must(["apt-get", "update", "-q"], env=env)
    must(["apt-get", "install", "-y", "-q", *packages], env=env)


def postgres_ready() -> bool:
    probe = (
        "import psycopg,sys\n"
        f"try:\n psycopg.connect({PG_URL!r}, connect_timeout=3).close()\n"
        "except Exception:\n sys.exit(1)\n"
    )
    return run([str(BIN / "python"), "-c", probe]) == 0


def ensure_postgres() -> None:
    if postgres_ready():
        return
    if not Path("/usr/lib/postgresql").exists():
        say("installing PostgreSQL")
        apt_install("postgresql")
    versions = sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").exists() else []
    if not versions:
        sys.exit("PostgreSQL is installed but has no cluster in /etc/postgresql")
    version = versions[-1]
    hba = Path(f"/etc/postgresql/{version}/main/pg_hba.conf")
    text = hba.read_text()
    if "proctor-trust" not in text:
        hba.write_text(
            "# proctor-trust: local test cluster\nhost all all 127.0.0.1/32 trust\n"
            "host all all ::1/128 trust\nlocal all all trust\n" + text
        )
    say(f"starting PostgreSQL {version}")
    run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
    for _ in range(30):
        if postgres_ready():
            return
        time.sleep(1)
    sys.exit("PostgreSQL did not become ready on 127.0.0.1:5432")


def ensure_chromium() -> None:
    if not Path("/usr/bin/chromium").exists():
        say("installing Chromium (Debian)")
        apt_install("chromium")


def ensure_java() -> None:
    """PySpark (the trading engine's scale-out path) needs a Java 17+ runtime."""
    if not shutil.which("java"):
        say("installing Java (Debian)")
        apt_install("openjdk-17-jre-headless")


def demo(args: list[str]) -> int:
    setup()
    return run([str(BIN / "proctor"), "demo", *args])


def pytest_step(label: str, args: list[str], env: dict[str, str]) -> None:
    say(label)
    code = run([str(BIN / "pytest"), *args], env=env)
    if code == 5:
        sys.exit(f"{label}: no tests were collected")
    if code != 0:
        sys.exit(f"{label}: failed ({code})")


def test(args: list[str]) -> int:
    setup()
    ensure_postgres()
    ensure_chromium()
    ensure_java()
    say("ruff")
    must([str(BIN / "ruff"), "check", "src", "tests", "tools", "benchmarks", "dev.py"])
    say("mypy (strict on every package)")
    must([str(BIN / "mypy")])
    say("import contracts")
    must([str(BIN / "lint-imports")])
    env = {**os.environ, "PROCTOR_TEST_POSTGRES_URL": PG_URL, "PROCTOR_REQUIRE_POSTGRES": "1"}
    pytest_step("tests (SQLite and PostgreSQL)", ["-q", *args], env)
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "setup"}:
        print(__doc__)
        print("usage: python3 dev.py demo|test|setup [args...]")
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "setup":
        setup()
        return 0
    return demo(rest) if command == "demo" else test(rest)


if __name__ == "__main__":
    sys.exit(main())
