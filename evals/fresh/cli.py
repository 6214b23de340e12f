"""`shopassist eval fresh`: play the fresh shopper-message set against a running server and judge every message."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from evals.fresh.schema import FRESH_PATH


def fresh_command(
    url: Annotated[str, typer.Option(help="The running server's chat websocket")] = "ws://127.0.0.1:8080/ws/chat",
    dataset: Annotated[Path, typer.Option(help="Fresh dialogues (JSONL)")] = FRESH_PATH,
    limit: Annotated[int, typer.Option(help="Play at most N dialogues (0: all)")] = 0,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for one answer")] = 120.0,
    secret: Annotated[str, typer.Option(help="The server's SHOPASSIST_SECRET (default: this machine's settings)")] = "",
    out: Annotated[Path | None, typer.Option(help="Report folder (default var/reports/fresh/<time>)")] = None,
) -> None:
    """Play each fresh dialogue over the websocket; report tools, answers, status and timing, and a verdict."""
    from evals.fresh.play import FreshError
    from evals.fresh.run import run_fresh, write_fresh_report
    from evals.fresh.schema import load_fresh
    from evals.fresh.verdict import JudgedMessage
    from shopassist.settings import get_settings

    settings = get_settings()
    dialogues = load_fresh(dataset)[: limit or None]
    out_dir = out or settings.data_dir / "reports" / "fresh" / f"{datetime.now(UTC):%Y%m%d-%H%M%S}"

    def progress(judged: JudgedMessage) -> None:
        record = judged.record
        typer.echo(f"{'PASS' if judged.passed else 'FAIL'} {record.dialogue_id}#{record.turn} "
                   f"{record.done_ms or '-'} ms {'; '.join(judged.reasons)}")

    try:
        judged = asyncio.run(run_fresh(url, dialogues, secret or settings.secret.get_secret_value(), timeout,
                                       progress))
    except FreshError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    summary = write_fresh_report(out_dir, url, judged)
    typer.echo(f"pass rate {summary['passed']}/{summary['messages']} = {summary['pass_rate']} — report {out_dir}")
