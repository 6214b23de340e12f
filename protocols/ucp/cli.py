"""`shopassist agents issue NAME`: an API key for a shopping agent to use the UCP endpoints with."""

from __future__ import annotations

from typing import Annotated

import typer

from commerce.agents import UnknownShopper, issue_agent_key
from commerce.db import Database
from commerce.order_events import set_webhook
from shopassist.settings import get_settings

agents_app = typer.Typer(help="API keys of shopping agents that buy through UCP.", no_args_is_help=True)


@agents_app.command("issue")
def issue(name: Annotated[str, typer.Argument(help="Who the key is for, e.g. 'acme-shopping-agent'")],
          shopper: Annotated[str | None, typer.Option(help="The one shopper this key acts for, e.g. cust_1: their "
                                                           "saved addresses are offered at checkout")] = None) -> None:
    """Issue a key; it is shown once (only its hash is stored). Agents send it as `Authorization: Bearer <key>`."""
    database = Database(get_settings().sqlalchemy_url)
    database.migrate()
    try:
        with database.session() as session:
            issued = issue_agent_key(session, name, shopper)
    except UnknownShopper:
        raise typer.BadParameter(f"no shopper {shopper!r}", param_hint="--shopper") from None
    typer.echo(f"agent {issued.agent_id} ({issued.name})\napi key: {issued.api_key}")


@agents_app.command("webhook")
def webhook(agent_id: Annotated[str, typer.Argument(help="The agent's id, e.g. agent_1a2b3c4d5e6f")],
            url: Annotated[str, typer.Argument(help="Where its order events are POSTed; '' to stop sending")],
            secret: Annotated[str | None, typer.Option(help="The shared secret the agent platform gave for ACP "
                                                             "webhooks (Merchant-Signature HMAC)")] = None) -> None:
    """Register the URL an agent's order webhooks go to (created, shipped, canceled): UCP ones signed with the key
    in /.well-known/ucp, ACP ones with the platform's shared secret."""
    if url and not url.startswith(("https://", "http://")):
        raise typer.BadParameter("the webhook URL must be http(s)://…", param_hint="URL")
    database = Database(get_settings().sqlalchemy_url)
    database.migrate()
    with database.session() as session:
        if not set_webhook(session, agent_id, url, secret):
            raise typer.BadParameter(f"no agent {agent_id!r}", param_hint="AGENT_ID")
    typer.echo(f"agent {agent_id}: order webhooks {'to ' + url if url else 'off'}")
