"""The Jinja environment of the reports (autoescaped HTML) and small shared helpers."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from bifocals.locale.jinja import install_i18n
from bifocals.plural import count, verb
from bifocals.reports.wording import fmt


@pass_context
def _num(ctx: Context, x: float | None, digits: int = 1) -> str:
    """The `num` filter: a number as the page's language writes it (wording.fmt)."""
    return fmt(x, digits, ctx.get("lang"))


@cache
def environment() -> Environment:
    """The reports' template environment; HTML is autoescaped, so comments stay text."""
    env = Environment(
        loader=PackageLoader("bifocals.reports", "templates"),
        autoescape=select_autoescape(["html", "css"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.globals.update(count=count, verb=verb)
    install_i18n(env)  # `_()` and `{% trans %}` in the view's `lang` (English without one)
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
