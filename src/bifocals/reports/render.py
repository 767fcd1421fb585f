"""The Jinja environment of the reports (autoescaped HTML) and small shared helpers."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from bifocals.plural import count, verb
from bifocals.reports.wording import fmt


@cache
def environment() -> Environment:
    """The reports' template environment; HTML is autoescaped, so comments stay text."""
    env = Environment(
        loader=PackageLoader("bifocals.reports", "templates"),
        autoescape=select_autoescape(["html", "css"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = fmt
    env.globals.update(count=count, verb=verb)
    return env


@cache
def stylesheet() -> str:
    """The reports' CSS (screen and print)."""
    env = environment()
    if env.loader is None:
        raise RuntimeError("the reports' template loader is missing")
    source, _, _ = env.loader.get_source(env, "report.css")
    return source


def render(template: str, view: dict[str, Any]) -> str:
    """Render one page template with the shared stylesheet inlined."""
    return environment().get_template(template).render(css=stylesheet(), **view)


def today() -> str:
    """Today's date as printed on report covers (ISO, local date)."""
    return dt.date.today().isoformat()
