"""The ASGI app uvicorn imports (`serving.main:app`): settings from the environment, migrated database."""

from __future__ import annotations

from commerce.db import Database
from serving.app import create_app
from serving.heap import settle_heap
from shopassist.settings import get_settings

_settings = get_settings()
_database = Database(_settings.sqlalchemy_url)
_database.migrate()
app = create_app(_settings, _database)
settle_heap()
