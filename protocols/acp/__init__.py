"""The Agentic Commerce Protocol (stable spec 2026-04-17): checkout sessions over the shop's checkout core, and the
product feed."""
