"""Agentic-commerce protocols: other AI agents shop this store through them."""
