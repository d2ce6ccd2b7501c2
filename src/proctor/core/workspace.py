"""What a module may ask of a workspace, as a type: the platform's `Workspace` satisfies it.

Modules sit below the platform in the import layers, so they cannot name the platform's class in
their signatures without importing it; typing `ws` as `Any` instead hides every mistake. This
Protocol names what modules use: the configuration, clock and ids, the read path and the one
writer path, the users, the alert, case and control services, the blob store and the modules in
use. `proctor.core` stays free of database libraries: connections and transactions are typed by
what they are used as, not by SQLAlchemy's classes.

Usage::

    from proctor.core.workspace import Workspace

    def load_inputs(ws: Workspace, directory: Path, *, actor: str) -> dict[str, Any]:
        require(ws.users.get(actor), RESERVE_WORK)
        with ws.transaction(actor) as tx:
            ...
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from proctor.core.clock import Clock
from proctor.core.controls import ControlRegistry
from proctor.core.ids import IdFactory
from proctor.core.roles import User


class Users(Protocol):
    def get(self, name: str) -> User: ...

    def list(self) -> list[User]: ...


class Workspace(Protocol):
    """A firm's workspace as modules see it."""

    # Read-only members (properties), so the platform's class matches whatever concrete types it
    # uses for them.
    @property
    def path(self) -> Path: ...

    @property
    def config(self) -> Any: ...  # proctor.platform.config.Config: firm, domains, module sections

    @property
    def clock(self) -> Clock: ...

    @property
    def ids(self) -> IdFactory: ...

    @property
    def registry(self) -> ControlRegistry: ...

    @property
    def modules(self) -> tuple[str, ...]: ...

    @property
    def users(self) -> Users: ...

    @property
    def alerts(self) -> Any: ...  # proctor.platform.alerts.AlertService

    @property
    def cases(self) -> Any: ...  # proctor.platform.cases.CaseService

    @property
    def controls(self) -> Any: ...  # proctor.platform.controls.ControlRunner

    @property
    def blobs(self) -> Any: ...  # proctor.store.blobs.BlobStore

    def read(self) -> AbstractContextManager[Any]:
        """A read-only connection."""
        ...

    def transaction(self, actor: str) -> AbstractContextManager[Any]:
        """The one writer path: a journaled transaction attributed to `actor`."""
        ...

    def close(self) -> None: ...
