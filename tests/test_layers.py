"""The package's layers, read from the source: who may import whom (docs/architecture.md).

- services/ holds the rules and imports no FastAPI, Typer or Jinja;
- nothing outside web/ imports bifocals.web, except cli/serve.py, which starts it;
- no router imports another router (what two routers share lives in deps or a page helper);
- web/ holds the app, deps, the routers and at most three plain helper modules;
- change/ is a pure core: no database, templates, PDF or web framework.
"""

from __future__ import annotations

import ast
from pathlib import Path

import bifocals

PACKAGE = Path(bifocals.__file__).parent
WEB = PACKAGE / "web"
WEB_FRAMEWORK = ("fastapi", "starlette", "typer", "jinja2")
PLAIN_HELPERS_MAX = 3


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, absolute, by its full dotted name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _name(path: Path) -> str:
    return "bifocals." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def test_services_import_no_web_or_cli_framework() -> None:
    bad = {
        _name(p): sorted(m for m in _imports(p) if m.split(".")[0] in WEB_FRAMEWORK)
        for p in (PACKAGE / "services").glob("*.py")
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_only_the_serve_command_imports_the_web() -> None:
    outside = [p for p in PACKAGE.rglob("*.py") if WEB not in p.parents]
    users = sorted(
        _name(p)
        for p in outside
        if any(m == "bifocals.web" or m.startswith("bifocals.web.") for m in _imports(p))
    )
    assert users == ["bifocals.cli.serve"]


def test_no_router_imports_another() -> None:
    routers = WEB / "routers"
    names = {_name(p) for p in routers.glob("*.py") if p.stem != "__init__"}
    crossing = {
        _name(p): sorted(m for m in _imports(p) if m in names or m.rsplit(".", 1)[0] in names)
        for p in routers.glob("*.py")
    }
    assert {k: v for k, v in crossing.items() if v} == {}


def test_web_holds_at_most_three_plain_helpers() -> None:
    helpers = sorted(
        p.name for p in WEB.glob("*.py") if p.name not in ("__init__.py", "app.py", "deps.py")
    )
    assert len(helpers) <= PLAIN_HELPERS_MAX, helpers


def test_the_change_core_is_pure() -> None:
    impure = ("sqlalchemy", "jinja2", "weasyprint", "fastapi", "typer")
    bad = {
        _name(p): sorted(m for m in _imports(p) if m.split(".")[0] in impure)
        for p in (PACKAGE / "change").glob("*.py")
    }
    assert {k: v for k, v in bad.items() if v} == {}
