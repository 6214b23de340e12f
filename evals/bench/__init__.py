"""Benchmarks (agent, ranking, search, serving, MCP) that print figures and write JSON."""
