"""Alembic environment: migrations run on the connection migrate.py hands over (it holds the lock)."""

from alembic import context

from telesales_training.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
