"""`shopassist agents issue NAME` through the real CLI: the key it prints authenticates; only its hash is stored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from commerce.agents import agent_for_key
from commerce.db import Database
from commerce.tables import AgentRow
from shopassist.cli import app
from shopassist.settings import get_settings


def test_issued_key_is_printed_once_and_stored_hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SHOPASSIST_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["agents", "issue", "acme-agent"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    api_key = re.search(r"api key: (\S+)", result.output).group(1)  # type: ignore[union-attr]
    database = Database(f"sqlite:///{tmp_path / 'var' / 'shop.db'}")
    with database.session() as session:
        agent_id = agent_for_key(session, api_key)
        stored = session.scalars(select(AgentRow.key_hash)).all()
    assert agent_id is not None and agent_id in result.output
    assert stored and api_key not in stored
