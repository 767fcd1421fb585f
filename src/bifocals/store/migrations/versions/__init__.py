"""Alembic revisions: 0001_core, and the feature branches that start from it."""
