"""Operations and their rules, shared by the web app, the JSON API and the CLI.

Nothing here imports FastAPI, Typer or Jinja: a rule written here holds whichever door a user
comes in by.
"""
