"""Typed tools the agent (and the MCP server) can call: schemas plus plain functions over injected dependencies."""
