"""The one config loader: `proctor.toml` in the workspace, overridden by PROCTOR_* variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proctor.core.alerts import FourEyesPolicy, Severity
from proctor.core.errors import InputError

CONFIG_NAME = "proctor.toml"

DEFAULT_CONFIG = """\
# Proctor workspace configuration.
[firm]
name = "{firm}"
# Internet domains of the firm: decides whether a communication is internal or external.
domains = [{domains}]

[storage]
# Leave empty for the embedded SQLite database in this folder; PROCTOR_DATABASE_URL overrides.
database_url = "{database_url}"
# Blob store: a folder (default "blobs") or s3://bucket/prefix?endpoint=... with Object Lock.
blob_url = "blobs"

[alerts]
# Closing an alert at or above this severity needs a second person's approval (four eyes).
four_eyes_min_severity = "high"
four_eyes_controls = []

[cli]
# The user CLI actions are attributed to when --as is not given.
default_user = "{default_user}"
"""


@dataclass(frozen=True)
class Config:
    root: Path
    firm_name: str = "Example Securities LLC"
    firm_domains: tuple[str, ...] = ()
    database_url: str = ""
    blob_url: str = "blobs"
    four_eyes: FourEyesPolicy = field(default_factory=FourEyesPolicy)
    default_user: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        return self.root / "proctor.db"

    @property
    def key_path(self) -> Path:
        return self.root / "keys" / "journal-ed25519.pem"

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


def write_default(
    root: Path, firm: str, domains: list[str], default_user: str = "", database_url: str = ""
) -> Path:
    path = root / CONFIG_NAME
    text = DEFAULT_CONFIG.format(
        firm=firm,
        domains=", ".join(f'"{d}"' for d in domains),
        default_user=default_user,
        database_url=database_url,
    )
    path.write_text(text, encoding="utf-8")
    return path


def load_config(root: Path) -> Config:
    path = root / CONFIG_NAME
    if not path.exists():
        raise InputError(
            "not a Proctor workspace (no proctor.toml); create one with `proctor init PATH`", file=str(root)
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(exc), file=str(path)) from None
    firm = raw.get("firm", {})
    storage = raw.get("storage", {})
    alerts = raw.get("alerts", {})
    cli = raw.get("cli", {})
    try:
        min_sev = Severity(alerts.get("four_eyes_min_severity", "high"))
    except ValueError:
        raise InputError(
            "must be low, medium, high or critical", file=str(path), field="alerts.four_eyes_min_severity"
        ) from None
    return Config(
        root=root,
        firm_name=str(firm.get("name", "Example Securities LLC")),
        firm_domains=tuple(str(d).lower() for d in firm.get("domains", [])),
        database_url=os.environ.get("PROCTOR_DATABASE_URL") or str(storage.get("database_url", "")),
        blob_url=str(storage.get("blob_url", "blobs")),
        four_eyes=FourEyesPolicy(
            min_severity=min_sev, controls=frozenset(alerts.get("four_eyes_controls", []))
        ),
        default_user=os.environ.get("PROCTOR_USER") or str(cli.get("default_user", "")),
        raw=raw,
    )
