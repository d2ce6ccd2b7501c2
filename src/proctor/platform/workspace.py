"""A workspace: one firm's configuration, database, blob store and journal key, opened as one object."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from proctor.core.clock import Clock, SystemClock
from proctor.core.controls import ControlRegistry
from proctor.core.errors import InputError
from proctor.core.ids import IdFactory, new_id
from proctor.journal import signing
from proctor.journal.log import JournalLog
from proctor.journal.witness import public_key_text
from proctor.platform import security_tables as _security_tables  # noqa: F401  (sessions, tokens, settings)
from proctor.platform import tables as _platform_tables  # noqa: F401  (the directory joins the schema)
from proctor.platform.config import CONFIG_NAME, Config, load_config, write_default
from proctor.platform.migrate import upgrade_to_head
from proctor.platform.transaction import Transaction
from proctor.store.blobs import BlobStore, FilesystemBlobStore
from proctor.store.db import WRITE_OPTION, create_engine, sqlite_url

PUBLIC_KEY_FILE = "journal-public-key.txt"


class Workspace:
    def __init__(
        self,
        config: Config,
        engine: sa.Engine,
        blob_store: BlobStore,
        journal: JournalLog,
        clock: Clock,
        ids: IdFactory,
        registry: ControlRegistry,
        modules: Sequence[str] = (),
    ) -> None:
        from proctor.platform.alerts import AlertService
        from proctor.platform.cases import CaseService
        from proctor.platform.controls import ControlRunner
        from proctor.platform.settings import SettingsService
        from proctor.platform.users import UserService

        self.config = config
        self.path = config.root
        self.engine = engine
        self.blobs = blob_store
        self.journal = journal
        self.clock = clock
        self.ids = ids
        self.registry = registry
        self.modules: tuple[str, ...] = tuple(modules)  # the modules this workspace uses
        # Derived-data checks `proctor journal verify` runs (each module's ModuleSpec.integrity_checks).
        self.integrity_checks: tuple[Callable[[Workspace], list[str]], ...] = ()
        self._write_lock = threading.RLock()
        self.settings = SettingsService(self)
        self.config = self.settings.effective(config)  # supervised settings come from the database
        self.users = UserService(self)
        self.alerts = AlertService(self)
        self.cases = CaseService(self)
        self.controls = ControlRunner(self)

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Transaction]:
        """Serialise writers in this process; BEGIN IMMEDIATE / row lock serialises across processes."""
        with (
            self._write_lock,
            self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn,
            conn.begin(),
        ):
            tx = Transaction(self, conn, actor)
            yield tx
            self.blobs.sync()  # blobs the rows refer to are durable before the rows commit
            tx.seqs = self.journal.append(conn, tx.events, self.clock.now())

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def _blob_store(config: Config) -> BlobStore:
    url = config.blob_url or "blobs"
    if url.startswith("s3://"):
        from proctor.store.s3 import S3BlobStore  # optional production backend

        return S3BlobStore.from_url(url)
    path = Path(url)
    return FilesystemBlobStore(path if path.is_absolute() else config.root / path)


def init_workspace(
    root: Path,
    *,
    firm: str = "Example Securities LLC",
    domains: list[str] | None = None,
    default_user: str = "",
    database_url: str = "",
    modules: list[str] | None = None,
    migrations: Sequence[Path] = (),
) -> Path:
    """Create the folder, config, journal signing key and schema. Refuses to overwrite a workspace.

    Use `proctor.bootstrap.init_workspace`, which passes every module's migration folder.
    """
    root = root.resolve()
    if (root / CONFIG_NAME).exists():
        raise InputError("a workspace already exists here", file=str(root))
    # The database is recorded in proctor.toml, so a later shell without PROCTOR_DATABASE_URL
    # opens the same database instead of a new, empty SQLite file.
    database_url = database_url or os.environ.get("PROCTOR_DATABASE_URL", "")
    url = database_url or sqlite_url(root / "proctor.db")
    if database_url or (root / "proctor.db").exists():
        _refuse_used_database(url)
    root.mkdir(parents=True, exist_ok=True)
    (root / "keys").mkdir(exist_ok=True)
    (root / "blobs").mkdir(exist_ok=True)
    write_default(root, firm, domains or ["example-securities.com"], default_user, database_url, modules)
    config = load_config(root)
    signing.generate_key(config.key_path)
    upgrade_to_head(url, migrations)
    public = signing.public_key_hex(signing.load_private_key(config.key_path))
    (root / PUBLIC_KEY_FILE).write_text(public_key_text(public, firm), encoding="utf-8")
    ws = open_workspace(root, migrations=migrations)
    try:
        ws.settings.record_initial()
    finally:
        ws.close()
    return root


def _refuse_used_database(url: str) -> None:
    """A database that already holds a journal belongs to another workspace: never share or reset it."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
    except sa.exc.OperationalError as exc:
        raise InputError(f"cannot open the database: {exc.orig}", field="database_url") from None
    finally:
        engine.dispose()
    if "journal_events" in names or "alembic_version" in names:
        raise InputError(
            "the database already holds a Proctor workspace; give each workspace its own database",
            field="database_url",
        )


def database_url_for(config: Config) -> str:
    """The workspace's database: the one recorded at init; a missing SQLite file is an error."""
    recorded = str(config.section("storage").get("database_url", "") or "")
    override = os.environ.get("PROCTOR_DATABASE_URL", "")
    if override and recorded and override != recorded:
        raise InputError(
            "PROCTOR_DATABASE_URL names a different database than the one this workspace was created "
            "with; unset it or fix storage.database_url",
            file=str(config.root / CONFIG_NAME),
            field="storage.database_url",
        )
    if recorded:
        return recorded
    if override:
        raise InputError(
            "PROCTOR_DATABASE_URL is set but this workspace was created with its embedded SQLite "
            "database; unset it",
            file=str(config.root / CONFIG_NAME),
            field="storage.database_url",
        )
    if not config.db_path.exists():
        raise InputError(
            "the workspace database proctor.db is missing; refusing to start a new empty one "
            "(restore it, or set storage.database_url to where it is)",
            file=str(config.db_path),
        )
    return sqlite_url(config.db_path)


def open_workspace(
    root: Path,
    *,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    registry: ControlRegistry | None = None,
    migrations: Sequence[Path] = (),
    modules: Sequence[str] = (),
) -> Workspace:
    """Open a workspace. Use `proctor.bootstrap.open_workspace`, which passes the full registry."""
    config = load_config(root.resolve())
    url = database_url_for(config)
    upgrade_to_head(url, migrations)
    engine = create_engine(url)
    key = signing.load_private_key(config.key_path)
    return Workspace(
        config=config,
        engine=engine,
        blob_store=_blob_store(config),
        journal=JournalLog(key),
        clock=clock or SystemClock(),
        ids=ids or new_id,
        registry=registry or ControlRegistry(),
        modules=modules,
    )
