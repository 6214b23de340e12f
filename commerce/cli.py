"""`shopassist data …`: generate the demo shop, import catalogs, print storage counts."""

from __future__ import annotations

import typer

from commerce.db import Database
from commerce.store import counts
from shopassist.settings import get_settings

app = typer.Typer(help="Demo shop, catalog import and storage statistics.", no_args_is_help=True)


def open_database() -> Database:
    database = Database(get_settings().sqlalchemy_url)
    database.migrate()
    return database


@app.command()
def stats() -> None:
    """Print row counts per table."""
    with open_database().session() as session:
        for table, count in counts(session).items():
            typer.echo(f"{table:16} {count:>8,}")
