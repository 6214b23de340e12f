"""`shopassist agents issue NAME`: an API key for a shopping agent to use the UCP endpoints with."""

from __future__ import annotations

from typing import Annotated

import typer

from commerce.agents import issue_agent_key
from commerce.db import Database
from shopassist.settings import get_settings

agents_app = typer.Typer(help="API keys of shopping agents that buy through UCP.", no_args_is_help=True)


@agents_app.command("issue")
def issue(name: Annotated[str, typer.Argument(help="Who the key is for, e.g. 'acme-shopping-agent'")]) -> None:
    """Issue a key; it is shown once (only its hash is stored). Agents send it as `Authorization: Bearer <key>`."""
    database = Database(get_settings().sqlalchemy_url)
    database.migrate()
    with database.session() as session:
        issued = issue_agent_key(session, name)
    typer.echo(f"agent {issued.agent_id} ({issued.name})\napi key: {issued.api_key}")
