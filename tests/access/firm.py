"""Small literal firms for the access tests: HR exports and rosters as the files people send."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from proctor.core.clock import FixedClock

HR_HEADER = (
    "employee_id,first_name,last_name,work_email,status,worker_type,hire_date,termination_effective,"
    "last_day_worked,manager_id,crd_number,u5_filed"
)
ROSTER_HEADER = "login_id,display_name,email,status,created,last_login"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.strip() + "\n", "utf-8")
    return path


def hr_csv(folder: Path, name: str, *rows: str) -> Path:
    return write(folder, name, "\n".join([HR_HEADER, *rows]))


def roster_csv(folder: Path, name: str, *rows: str) -> Path:
    return write(folder, name, "\n".join([ROSTER_HEADER, *rows]))


def at(clock: FixedClock, text: str) -> None:
    """Move the firm's clock to an instant (the workspace never imports a future snapshot)."""
    clock.current = t(text)


def add_staff(ws: object) -> None:
    users = ws.users  # type: ignore[attr-defined]
    for name, role in (("paula", "principal"), ("ravi", "reviewer")):
        try:
            users.get(name)
        except Exception:
            users.add(name, role, actor="ada", password="correct horse")
