"""The platform: workspaces, the one writer path, users, alerts, cases and the control runner.

Every surveillance module stands on this package; it imports none of them. The names below are
loaded on first use, so importing a light part of the platform (its config, calendar, date
parsing) does not pull in the database layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from proctor.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from proctor.platform.transaction import Transaction
    from proctor.platform.workspace import Workspace, init_workspace, open_workspace

__all__ = ["Transaction", "Workspace", "init_workspace", "open_workspace"]

_HOME = {
    "Transaction": "proctor.platform.transaction",
    "Workspace": "proctor.platform.workspace",
    "init_workspace": "proctor.platform.workspace",
    "open_workspace": "proctor.platform.workspace",
}


__getattr__ = lazy_exports(__name__, _HOME)
