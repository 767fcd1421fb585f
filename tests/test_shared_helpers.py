"""The helpers that replaced repeated blocks: the CLI's store block, the routers' answers,
the headed-table reader, the typed errors' base and the login move around a replace."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from bifocals.cli.common import errors_printed, opened
from bifocals.errors import (
    AccessError,
    BifocalsError,
    Conflict,
    NotFound,
    Problem,
    Refusal,
    ValidationError,
    error_field,
    http_status,
)
from bifocals.services.participant_logins import Moved, keeping_logins
from bifocals.store.sheets import header_refused, read_headed_table
from bifocals.web.routers import attachment, see_other, upload_name


def test_opened_closes_the_store_and_prints_a_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "b.db")
    with opened(db) as store:
        assert store.list_campaigns() == []
    with pytest.raises(typer.Exit) as stop, opened(db):
        raise NotFound("no such campaign", "campaign")
    assert stop.value.exit_code == 1
    assert "no such campaign" in capsys.readouterr().err


def test_errors_printed_lists_problems_or_prints_them_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exc = ValidationError([Problem("f.csv", 2, "code", "x", "bad code")])
    with pytest.raises(typer.Exit), errors_printed():
        raise exc
    assert "f.csv:2: code=x: bad code" in capsys.readouterr().err
    with pytest.raises(typer.Exit), errors_printed(listing=False):
        raise exc
    assert "field 'code'" in capsys.readouterr().err


def test_refusal_is_the_base_of_the_typed_errors() -> None:
    conflict, missing = Conflict("taken", "name"), NotFound("gone")
    assert isinstance(conflict, BifocalsError) and isinstance(conflict, Refusal)
    assert isinstance(missing, AccessError) and not isinstance(missing, BifocalsError)
    assert (http_status(conflict), error_field(conflict), conflict.message) == (
        409,
        "name",
        "taken",
    )
    assert (http_status(missing), error_field(missing)) == (404, None)


def test_router_answers() -> None:
    assert upload_name("a/b\\c.csv", "x.csv") == "a_b_c.csv"
    assert upload_name(None, "x.csv") == "x.csv"
    moved = see_other("/campaigns/1")
    assert (moved.status_code, moved.headers["location"]) == (303, "/campaigns/1")
    down = attachment(b"a,b\n", "r.csv", "text/csv", no_store=True)
    assert down.headers["content-disposition"] == 'attachment; filename="r.csv"'
    assert down.headers["cache-control"] == "no-store"
    assert "cache-control" not in attachment(b"{}", "r.json", "application/json").headers


def test_read_headed_table() -> None:
    records, header = read_headed_table(b"New_Code,old_code\nA,B\n", "m.csv", "map", ("x",))
    assert header == ["new_code", "old_code"] and records[1].cells == ["A", "B"]
    with pytest.raises(ValidationError, match="the file is empty; write a,b"):
        read_headed_table(b"", "m.csv", "map", ("a", "b"))
    refused = header_refused("m.csv", records[0], "wrong header")
    assert refused.problems[0].line == 1 and refused.problems[0].value == "New_Code,old_code"


def test_keeping_logins_without_follow_runs_the_change_only() -> None:
    class NoStore:
        pass

    result, moved = keeping_logins(NoStore(), "c", lambda: 7, follow=False)  # type: ignore[arg-type]
    assert (result, moved) == (7, Moved([], []))
