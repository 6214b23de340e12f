"""Catalog importers: our JSONL schema, Shopify's product CSV export and the τ-bench retail JSON files."""
