"""Shared fixtures: workspaces on SQLite and on PostgreSQL, a fixed clock, deterministic ids.

PostgreSQL tests use a fresh database per test on the server named by PROCTOR_TEST_POSTGRES_URL.
When PROCTOR_REQUIRE_POSTGRES is set (as `python3 dev.py test` and CI do), an unreachable server
fails the run instead of skipping, so the PostgreSQL half of the suite can never silently vanish.

Migrating a new workspace takes about a second, and most tests need one, so `make_workspace` builds
one migrated template workspace per database per session and copies it: the folder for SQLite,
and `CREATE DATABASE ... TEMPLATE` for PostgreSQL. Tests of `init` itself call `init_workspace`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PROCTOR_PASSWORD_PROFILE", "cheapest")
# The CLI authenticates `--as USER`; the staff below all have this password (tests of the
# authentication itself remove it).
os.environ.setdefault("PROCTOR_PASSWORD", "correct horse")

from proctor.bootstrap import init_workspace, open_workspace
from proctor.core.clock import FixedClock
from proctor.core.controls import ControlRegistry
from proctor.core.ids import SequentialIds
from proctor.platform import Workspace

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get("PROCTOR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_connect(dbname: str | None = None):  # type: ignore[no-untyped-def]
    import psycopg

    url = PG_ADMIN_URL if dbname is None else PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{dbname}"
    return psycopg.connect(url, autocommit=True, connect_timeout=3)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database, dropped after the test."""
    try:
        admin = _pg_connect()
    except Exception as exc:
        if os.environ.get("PROCTOR_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    name = f"proctor_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with _pg_connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


FIRM = "Harbor Street Securities LLC"
DOMAINS = ["harborstreet.com"]
_TEMPLATES: dict[str, tuple[Path, str]] = {}  # "sqlite" | "postgresql" -> (folder, template database)


def _template(postgres: bool) -> tuple[Path, str]:
    """The migrated template workspace of one database kind, built on first use in the session."""
    kind = "postgresql" if postgres else "sqlite"
    if kind not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix=f"proctor-template-{kind}-")) / "ws"
        name, url = "", ""
        if postgres:
            name = f"proctor_template_{uuid.uuid4().hex[:12]}"
            with _pg_connect() as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        init_workspace(folder, firm=FIRM, domains=DOMAINS, database_url=url)
        _TEMPLATES[kind] = (folder, name)
    return _TEMPLATES[kind]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for folder, name in _TEMPLATES.values():
        shutil.rmtree(folder.parent, ignore_errors=True)
        if name:
            with _pg_connect() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _TEMPLATES.clear()


def make_workspace(
    root: Path, clock: FixedClock, database_url: str = "", registry: ControlRegistry | None = None
) -> Workspace:
    """A new, migrated workspace at `root`: a copy of the session's template (see the module doc).

    With `database_url` (an empty PostgreSQL database, as the `postgres_url` fixture makes), that
    database is recreated from the template database and recorded in the copy's proctor.toml.
    """
    folder, template_db = _template(postgres=bool(database_url))
    shutil.copytree(folder, root, dirs_exist_ok=True)
    if database_url:
        name = database_url.rsplit("/", 1)[1]
        with _pg_connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
        config = root / "proctor.toml"
        text = re.sub(r'(?m)^database_url = ".*"$', f'database_url = "{database_url}"', config.read_text())
        config.write_text(text, encoding="utf-8")
    return open_workspace(root, clock=clock, ids=SequentialIds(), registry=registry)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Parametrises a test over both databases: '' means the embedded SQLite file."""
    if request.param == "sqlite":
        return ""
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def ws(tmp_path: Path, clock: FixedClock, db_url: str) -> Iterator[Workspace]:
    """A workspace with a firm's compliance staff, on each database."""
    workspace = make_workspace(tmp_path / "ws", clock, db_url)
    staff = [
        ("ada", "admin", []),
        ("paula", "principal", []),
        ("carl", "principal", []),
        ("ravi", "reviewer", ["ravi@harborstreet.com"]),
        ("rita", "reviewer", ["rita@harborstreet.com"]),
        ("fiona", "finop", []),
        ("otto", "auditor", []),
    ]
    for name, role, identities in staff:
        workspace.users.add(name, role, actor="ada", password="correct horse", identities=identities)
    yield workspace
    workspace.close()


@pytest.fixture
def sqlite_ws(tmp_path: Path, clock: FixedClock) -> Iterator[Workspace]:
    workspace = make_workspace(tmp_path / "ws", clock)
    workspace.users.add("ada", "admin", actor="ada", password="correct horse")
    yield workspace
    workspace.close()
