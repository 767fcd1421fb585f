"""Helpers the tests share (not test modules): databases and web clients, seeded campaigns,
survey set-up, scoring and store builders, roster and effort-export files."""
