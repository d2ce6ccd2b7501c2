"""The demo firm (`proctor demo`) as a fixture: every module's data, made once, copied per module.

The pages for the FINOP, the principal and the reviewer need what only a populated firm has:
six weeks of reserve computations (one HOLD, open variances), an archive of a thousand messages,
review policies, coverage and exemptions. `proctor demo` builds exactly that firm; building it
takes half a minute, so it is built once per test run and each test module works on its own copy
(workspace and witness folder, the copy's configuration pointing at its own witness).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from proctor.bootstrap import open_workspace
from proctor.platform import Workspace

DEMO_PASSWORD = "proctor-demo"


def _template(factory: pytest.TempPathFactory) -> Path:
    root = factory.getbasetemp() / "demo-template"
    workspace = root / "firm"
    if not (workspace / ".ready").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        command = [
            sys.executable,
            "-c",
            "from proctor.cli.main import run; run()",
            "demo",
            "--workspace",
            str(workspace),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"proctor demo failed:\n{done.stdout}\n{done.stderr}")
        (workspace / ".ready").write_text("built\n")
    return workspace


def demo_copy(factory: pytest.TempPathFactory, name: str) -> Path:
    """A fresh copy of the demo firm for one test module."""
    template = _template(factory)
    target = factory.mktemp(name) / "firm"
    shutil.copytree(template, target)
    witness = template.parent / f"{template.name}-witness"
    if witness.exists():
        shutil.copytree(witness, target.parent / "firm-witness")
    toml = target / "proctor.toml"
    toml.write_text(
        toml.read_text("utf-8").replace(str(witness), str(target.parent / "firm-witness")), "utf-8"
    )
    return target


def open_copy(path: Path) -> Workspace:
    return open_workspace(path)
