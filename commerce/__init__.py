"""Commerce domain: pydantic models, SQL storage, the demo shop and catalog importers."""
