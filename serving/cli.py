"""`shopassist serve` (uvicorn) and `shopassist logs export` (dialogue-log JSONL)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from shopassist.settings import Settings, SettingsError, get_settings, load_settings

logs_app = typer.Typer(help="Dialogue logs of served conversations.", no_args_is_help=True)


def bind(host: str | None, port: int | None) -> Settings:
    """The settings for serving at --host/--port (checked like SHOPASSIST_HOST and _PORT). serving.main reads the
    settings again, in each worker: the environment carries the bound address there, so that unless
    SHOPASSIST_PUBLIC_BASE_URL says otherwise the UCP profile and links name the address actually bound."""
    bound = {name: value for name, value in (("host", host), ("port", port)) if value}
    settings = load_settings(**bound) if bound else get_settings()
    os.environ |= {"SHOPASSIST_HOST": settings.host, "SHOPASSIST_PORT": str(settings.port)}
    get_settings.cache_clear()  # read before --port was known (the CLI's check); serving.main reads it again here
    return settings


def serve(
    host: str = typer.Option(None, help="Default: SHOPASSIST_HOST"),
    port: int = typer.Option(None, help="Default: SHOPASSIST_PORT"),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes (set SHOPASSIST_REDIS_URL for >1)"),
    print_schema: bool = typer.Option(False, "--print-schema", help="Print the chat protocol's JSON schema"),
) -> None:
    """Run the assistant: demo shop at /, widget at /widget.js, chat at /ws/chat and /v1/chat."""
    if print_schema:
        from serving.protocol import protocol_schema

        typer.echo(json.dumps(protocol_schema(), indent=2, ensure_ascii=False))
        return
    import uvicorn

    from serving.logs import configure_json_logging

    try:
        settings = bind(host, port)
    except SettingsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    host, port = settings.host, settings.port
    if settings.env == "production" and not settings.public_base_url.startswith("https://"):
        typer.echo(f"warning: SHOPASSIST_PUBLIC_BASE_URL is {settings.public_base_url!r}: agents and buyers are "
                   "sent there (UCP profile, checkout links); in production set it to the shop's https:// URL",
                   err=True)
    from agent.llama_probe import NativeLibraryError
    from agent.llm import LLMConfigError, check_embedded_model

    try:
        check_embedded_model(settings)
    except (LLMConfigError, NativeLibraryError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    configure_json_logging()
    typer.echo(f"shopassist: demo shop http://{host}:{port}/  console http://{host}:{port}/console  "
               f"(LLM backend: {settings.llm_backend})")
    uvicorn.run("serving.main:app", host=host, port=port, workers=workers, proxy_headers=True,
                ws_max_size=max(1 << 20, 4 * settings.max_frame_bytes), ws_per_message_deflate=False,
                log_config=None, access_log=False)


@logs_app.command("export")
def export(out: Annotated[Path, typer.Argument(help="Where to write the JSONL, e.g. var/logs.jsonl")]) -> None:
    """Write every stored conversation as one dialogue-log line (format shopassist.dialogue-log)."""
    from commerce.db import Database
    from serving.dialogue_log import write_logs
    from serving.export import dialogue_logs

    database = Database(get_settings().sqlalchemy_url)
    database.migrate()
    count = write_logs(out, dialogue_logs(database))
    typer.echo(f"wrote {count} conversations to {out}")
