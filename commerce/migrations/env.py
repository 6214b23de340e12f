"""Alembic environment: runs migrations on the engine handed over by commerce.db."""

from alembic import context

from commerce.tables import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
