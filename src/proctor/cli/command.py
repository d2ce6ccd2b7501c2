"""One way to write a `proctor` command: open the workspace, resolve the acting user, print JSON.

Every command that touches a workspace does the same four things: find and open it (`--workspace`
or PROCTOR_WORKSPACE), authenticate the acting user (`--as`, through
:func:`proctor.cli.common.actor_for`), print either a table or `--json`, and close the workspace
(its database pool) however the command ends. The :func:`command` decorator does them, so a
command body is only its own work, and a new option or a change to authentication reaches every
command at once.

Usage::

    from proctor.cli.command import Run, command

    @command(app, "list", json=True, actor=False)
    def list_(cmd: Run, status: str | None = typer.Option(None, "--status")) -> Any:
        rows = cmd.ws.alerts.query(...)
        if not cmd.json:                       # the table, for people
            print_table("Alerts", COLUMNS, rows)
        return rows                            # printed as JSON with --json

The decorated function takes a :class:`Run` first, then its own Typer options; the decorator adds
`--workspace`, `--as` (unless ``actor=False``) and `--json` (with ``json=True``) to the command.
With `--json` the return value is printed as JSON; without it, whatever the body printed stands.
A body whose outcome is a failure that still has output (a reserve HOLD, a journal that does not
verify) sets `cmd.then_raise` to the exit or error, raised once the output is printed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from proctor.cli.common import ActorOpt, JsonOpt, WorkspaceOpt, actor_for, open_ws, print_json

if TYPE_CHECKING:
    from proctor.platform import Workspace

F = TypeVar("F", bound=Callable[..., Any])
_ADDED = ("workspace", "as_", "as_json")


@dataclass
class Run:
    """What a command body works with: the open workspace, the acting user, the output mode."""

    workspace_path: Path | None
    as_: str | None
    json: bool = False
    then_raise: BaseException | None = None  # set by the body: raised once the output is printed
    _ws: Workspace | None = field(default=None, repr=False)
    _actor: str | None = field(default=None, repr=False)

    @property
    def ws(self) -> Workspace:
        if self._ws is None:
            self._ws = open_ws(self.workspace_path)
        return self._ws

    @property
    def actor(self) -> str:
        """The authenticated acting user (asked for only when the command needs one)."""
        if self._actor is None:
            self._actor = actor_for(self.ws, self.as_)
        return self._actor

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None


def command(
    app: typer.Typer, name: str | None = None, *, json: bool = False, actor: bool = True, **typer_kwargs: Any
) -> Callable[[F], F]:
    """Register `fn(run, **options)` as a command of `app` with the shared options added."""

    def decorate(fn: F) -> F:
        own = list(inspect.signature(fn, eval_str=True).parameters.values())[1:]
        extra = [
            inspect.Parameter(
                "workspace", inspect.Parameter.KEYWORD_ONLY, default=WorkspaceOpt, annotation=Path | None
            )
        ]
        if actor:
            extra.append(
                inspect.Parameter(
                    "as_", inspect.Parameter.KEYWORD_ONLY, default=ActorOpt, annotation=str | None
                )
            )
        if json:
            extra.append(
                inspect.Parameter("as_json", inspect.Parameter.KEYWORD_ONLY, default=JsonOpt, annotation=bool)
            )
        clash = {p.name for p in own} & set(_ADDED)
        if clash:
            raise TypeError(f"{fn.__name__} declares {', '.join(sorted(clash))}; the decorator adds it")

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            run = Run(
                kwargs.pop("workspace", None), kwargs.pop("as_", None), bool(kwargs.pop("as_json", False))
            )
            try:
                result = fn(run, *args, **kwargs)
                if run.json:
                    print_json(result)
                if run.then_raise is not None:
                    raise run.then_raise
            finally:
                run.close()

        wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [*_positional_first(own), *extra], return_annotation=None
        )
        app.command(name, **typer_kwargs)(wrapper)
        return fn

    return decorate


def _positional_first(params: list[inspect.Parameter]) -> list[inspect.Parameter]:
    """Typer reads the signature in order; keyword-only parameters must follow the others."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p for p in params if p.kind in kinds] + [p for p in params if p.kind not in kinds]
