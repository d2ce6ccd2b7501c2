"""The platform: workspaces, the one writer path, users, alerts, cases and the control runner.

Every surveillance module stands on this package; it imports none of them.
"""

from proctor.platform.transaction import Transaction
from proctor.platform.workspace import Workspace, init_workspace, open_workspace

__all__ = ["Transaction", "Workspace", "init_workspace", "open_workspace"]
