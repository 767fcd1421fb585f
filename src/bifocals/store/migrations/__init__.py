"""Alembic migrations of the bifocals store (core, web and change branches)."""
