"""`shopassist index`: build (or refresh) the Chroma product and passage indexes from the database."""

from __future__ import annotations

import time
from typing import Annotated

import typer


def index_command(
    if_missing: Annotated[bool, typer.Option("--if-missing", help="Do nothing when the index already exists")] = False,
) -> None:
    """Build the Chroma + BM25 indexes from the database; unchanged products are not re-embedded."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from commerce.db import Database
    from shopassist.settings import get_settings
    from vectorstore.service import build_from_database, index_exists, open_service

    settings = get_settings()
    service = open_service(settings)
    if if_missing and index_exists(service):
        typer.echo(f"index present ({service.products.col.count()} products): nothing to do")
        return
    database = Database(settings.sqlalchemy_url)
    database.migrate()
    started = time.perf_counter()
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn()) as progress:
        task = progress.add_task("indexing", total=None)
        stats = build_from_database(
            service, database, progress=lambda n: progress.advance(task, n),
            total=lambda n: progress.update(task, total=n),
        )
    seconds = time.perf_counter() - started
    typer.echo(
        f"indexed {stats['products']} products ({stats['embedded']} embedded, {stats['deleted']} removed) and "
        f"{stats['passages']} passages in {seconds:.1f}s into {settings.chroma_host or settings.chroma_path}"
    )
