"""A workspace: one firm's configuration, database, blob store and journal key, opened as one object."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from proctor.core.clock import Clock, SystemClock
from proctor.core.controls import ControlRegistry
from proctor.core.errors import InputError
from proctor.core.ids import IdFactory, new_id
from proctor.journal import signing
from proctor.journal.log import JournalLog
from proctor.platform.config import CONFIG_NAME, Config, load_config, write_default
from proctor.platform.migrate import upgrade_to_head
from proctor.platform.transaction import Transaction
from proctor.store.blobs import BlobStore, FilesystemBlobStore
from proctor.store.db import WRITE_OPTION, create_engine, sqlite_url


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
        self._write_lock = threading.RLock()
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

        return S3BlobStore.from_url(url)  # type: ignore[no-any-return]
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
    root.mkdir(parents=True, exist_ok=True)
    (root / "keys").mkdir(exist_ok=True)
    (root / "blobs").mkdir(exist_ok=True)
    write_default(root, firm, domains or ["example-securities.com"], default_user, database_url, modules)
    config = load_config(root)
    signing.generate_key(config.key_path)
    upgrade_to_head(config.database_url or sqlite_url(config.db_path), migrations)
    return root


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
    url = config.database_url or sqlite_url(config.db_path)
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
