"""Serving: FastAPI app, websocket/SSE chat protocol, widget, console, MCP endpoint."""
