"""A workspace opens the database it was created with, or refuses: never a silent new, empty one."""

from __future__ import annotations

import pytest

from proctor.bootstrap import init_workspace, open_workspace
from proctor.core.errors import InputError


def test_init_records_the_database_from_the_environment(tmp_path, postgres_url, monkeypatch):
    monkeypatch.setenv("PROCTOR_DATABASE_URL", postgres_url)
    root = init_workspace(tmp_path / "firm", firm="Harbor Street Securities LLC")
    assert f'database_url = "{postgres_url}"' in (root / "proctor.toml").read_text()
    monkeypatch.delenv("PROCTOR_DATABASE_URL")  # a later shell without the variable
    ws = open_workspace(root)
    try:
        assert ws.engine.dialect.name == "postgresql"
        ws.users.add("ada", "admin", actor="ada", password="correct horse")
    finally:
        ws.close()
    assert not (root / "proctor.db").exists()


def test_init_refuses_a_database_that_already_holds_a_workspace(tmp_path, postgres_url):
    init_workspace(tmp_path / "first", database_url=postgres_url)
    with pytest.raises(InputError, match="already holds a Proctor workspace"):
        init_workspace(tmp_path / "second", database_url=postgres_url)
    assert not (tmp_path / "second").exists()


def test_a_missing_sqlite_database_is_refused_not_recreated(tmp_path):
    root = init_workspace(tmp_path / "firm")
    (root / "proctor.db").unlink()
    with pytest.raises(InputError, match=r"proctor\.db is missing"):
        open_workspace(root)
    assert not (root / "proctor.db").exists()


def test_a_database_url_that_disagrees_with_the_recorded_one_is_refused(tmp_path, monkeypatch):
    root = init_workspace(tmp_path / "firm")
    monkeypatch.setenv("PROCTOR_DATABASE_URL", f"sqlite+pysqlite:///{tmp_path / 'other.db'}")
    with pytest.raises(InputError, match="embedded SQLite"):
        open_workspace(root)
