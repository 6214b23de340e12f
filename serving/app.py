"""The FastAPI app: chat transports, widget and demo shop, operator console, MCP, health and metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request, WebSocket
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from agent.runner import TurnRunner
from commerce.db import Database
from protocols.acp.routes import acp_router
from protocols.ucp.routes import ucp_router
from protocols.webhooks import WebhookSender
from serving.checkout import router as checkout_router
from serving.console import router as console_router
from serving.console import services_of
from serving.console_insights import pages as insights_pages
from serving.console_insights import router as console_insights_router
from serving.console_preferences import router as console_preferences_router
from serving.console_watches import router as console_watches_router
from serving.identity import issue_token
from serving.mcp_server import McpEndpoint
from serving.protocol import protocol_schema
from serving.services import Services
from serving.sse import chat_sse
from serving.ws import chat_socket
from shopassist.settings import Settings
from tools.deps import Deps

STATIC = Path(__file__).parent / "static"


def _page(name: str, media_type: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"})


def _ready(services: Services) -> dict[str, str]:
    checks = {}
    with services.db.session() as session:
        session.execute(text("SELECT 1"))
    checks["database"] = "ok"
    return checks


def create_app(settings: Settings, db: Database | None = None, runner: TurnRunner | None = None,
               deps: Deps | None = None) -> FastAPI:
    """`runner` defaults to the agent's (built once, here); tests pass the scripted one, and `deps` over a small
    search index."""
    database = db or Database(settings.sqlalchemy_url)
    # the chat agent, MCP, UCP and confirmations share one search index and ranker
    deps = deps or Deps(database, settings)
    if runner is None:
        from agent.runner import build_runner

        runner = build_runner(settings, database, deps)
    services = Services.build(settings, database, runner, deps)
    mcp = McpEndpoint(deps, services.agent_quota)
    webhooks = WebhookSender(database, settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await services.start()
        async with mcp.run(), webhooks.run():
            yield
        await services.stop()
        deps.close()

    app = FastAPI(title="shopassist", lifespan=lifespan, docs_url="/docs")
    app.state.services = services
    app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_origins, allow_methods=["GET", "POST", "PUT"],
                       allow_headers=["*"], allow_credentials=False)
    app.include_router(console_router)
    app.include_router(console_watches_router)
    app.include_router(console_preferences_router)
    app.include_router(console_insights_router)
    app.include_router(insights_pages)
    app.include_router(checkout_router)
    app.include_router(ucp_router(deps, services.agent_quota))
    app.include_router(acp_router(deps, services.agent_quota))
    app.add_route("/mcp", mcp.asgi_app, methods=["GET", "POST", "DELETE"])  # agents that drop the slash: no 307
    app.mount("/mcp", mcp.asgi_app)

    @app.get("/", include_in_schema=False)
    async def demo_shop() -> FileResponse:
        return _page("demo.html", "text/html")

    @app.get("/widget.js", include_in_schema=False)
    async def widget() -> FileResponse:
        return _page("widget.js", "application/javascript")

    @app.get("/console", include_in_schema=False)
    async def console_page() -> FileResponse:
        return _page("console.html", "text/html")

    @app.get("/v1/schema")
    async def schema() -> dict[str, Any]:
        return protocol_schema()

    @app.websocket("/ws/chat")
    async def chat(websocket: WebSocket) -> None:
        await chat_socket(websocket, services)

    @app.post("/v1/chat", response_model=None)
    async def chat_over_sse(request: Request) -> Response:
        return await chat_sse(request, services_of(request))

    @app.get("/demo/token")
    async def demo_token(shopper_id: str) -> dict[str, str]:
        """Development only: what a host shop's backend does for its signed-in shopper."""
        if settings.env == "production":
            raise HTTPException(status_code=404)
        return {"token": issue_token(settings, shopper_id)}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        try:
            checks = await asyncio.to_thread(_ready, services)
            if services.redis is not None:
                await services.redis.ping()
                checks["redis"] = "ok"
        except Exception as error:
            return JSONResponse({"status": "unavailable", "failed": type(error).__name__}, status_code=503)
        return JSONResponse({"status": "ready", **checks})

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
