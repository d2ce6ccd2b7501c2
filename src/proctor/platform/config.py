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
# Recorded by `proctor init` (empty: the embedded SQLite database proctor.db in this folder).
# PROCTOR_DATABASE_URL, when set, must name this same database.
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

[modules]
# The surveillance modules this workspace uses; controls of other modules do not run.
# Change with `proctor modules set` (journaled), not by hand.
enabled = [{modules}]
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
    enabled_modules: tuple[str, ...] | None = None  # None: every module (workspaces made before the setting)
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
    root: Path,
    firm: str,
    domains: list[str],
    default_user: str = "",
    database_url: str = "",
    modules: list[str] | None = None,
) -> Path:
    path = root / CONFIG_NAME
    text = DEFAULT_CONFIG.format(
        firm=firm,
        domains=", ".join(f'"{d}"' for d in domains),
        default_user=default_user,
        database_url=database_url,
        modules=", ".join(f'"{m}"' for m in (modules or [])),
    )
    if modules is None:  # every module: leave the setting out so modules added later are included
        text = text.replace("enabled = []\n", "# enabled = [...]  (absent: every module)\n")
    path.write_text(text, encoding="utf-8")
    return path


def set_enabled_modules(root: Path, modules: list[str]) -> None:
    """Rewrite only the `[modules] enabled` line, keeping the rest of the file as the firm wrote it."""
    path = root / CONFIG_NAME
    lines = path.read_text(encoding="utf-8").splitlines()
    value = "enabled = [" + ", ".join(f'"{m}"' for m in modules) + "]"
    out, in_section, done = [], False, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            if in_section and not done:
                out.append(value)
                done = True
            in_section = stripped == "[modules]"
        elif in_section and stripped.lstrip("# ").startswith("enabled") and not done:
            out.append(value)
            done = True
            continue
        out.append(line)
    if not done:
        if not in_section:
            out += ["", "[modules]"]
        out.append(value)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


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
    modules = raw.get("modules", {})
    enabled = modules.get("enabled") if isinstance(modules, dict) else None
    if enabled is not None and not (isinstance(enabled, list) and all(isinstance(m, str) for m in enabled)):
        raise InputError("must be a list of module names", file=str(path), field="modules.enabled")
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
        database_url=str(storage.get("database_url", "")),
        blob_url=str(storage.get("blob_url", "blobs")),
        four_eyes=FourEyesPolicy(
            min_severity=min_sev, controls=frozenset(alerts.get("four_eyes_controls", []))
        ),
        default_user=os.environ.get("PROCTOR_USER") or str(cli.get("default_user", "")),
        enabled_modules=tuple(enabled) if enabled is not None else None,
        raw=raw,
    )


def set_line(root: Path, section: str, key: str, value: Any) -> None:
    """Rewrite one `key = value` line of a section (keeping the rest as the firm wrote it).

    Used after an approved settings change, so the file shows what is in force; the database
    stays the source of truth either way.
    """
    path = root / CONFIG_NAME
    if isinstance(value, list):
        text = "[" + ", ".join(f'"{v}"' for v in value) + "]"
    else:
        text = f'"{value}"'
    lines = path.read_text(encoding="utf-8").splitlines()
    out, current, done = [], "", False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            if current == section and not done:
                out.append(f"{key} = {text}")
                done = True
            current = stripped.strip("[]").strip()
        elif current == section and not done and stripped.split("=", 1)[0].strip() == key:
            out.append(f"{key} = {text}")
            done = True
            continue
        out.append(line)
    if not done:
        if current != section:
            out += ["", f"[{section}]"]
        out.append(f"{key} = {text}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
