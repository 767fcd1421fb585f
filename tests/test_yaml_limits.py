"""Hostile YAML is refused with a clear error before it can cost much: alias bombs, deep
nesting, huge documents and tags that are not plain data, on every path that reads YAML (the
loader, `bifocals change import`, `bifocals instrument check`, `bifocals framework show`, and
the initiative upload on the web).

The bombs are built so that expanding them would need far more memory than any machine has;
each test runs them under an address-space cap (the CLI in a child process under `ulimit -v`,
in-process ones under a temporary RLIMIT_AS), so a regression fails with a MemoryError instead
of taking the machine down. No test measures time.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

import pytest

from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.errors import ValidationError
from bifocals.framework import load_framework_text
from bifocals.instruments import load_instrument_text
from bifocals.services.change_records import list_initiatives
from bifocals.yamlsource import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_VALUES,
    load_located,
    load_located_file,
)
from support.web import Auth, add_user, store_at

CAP_BYTES = 1 << 30  # what a bomb may add to a process before a regression fails


def bomb(levels: int = 30) -> str:
    """Billion laughs: level k is a list of nine aliases of level k-1, so it stands for 10**k
    values; 30 levels would be 10**30 once expanded."""
    names = [f"l{k}" for k in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [x, x, x, x, x, x, x, x, x]"]
    for prev, name in pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def deep(levels: int = 20_000) -> str:
    return "[" * levels + "]" * levels


def vm_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def memory_cap() -> Iterator[None]:
    """Let this process grow by at most CAP_BYTES of address space while the block runs."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = vm_bytes() + CAP_BYTES
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def refused(text: str, source: str = "hostile.yaml") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        load_located(text, source)
    return caught.value


# --- the loader -------------------------------------------------------------------------------


def test_alias_bomb_is_refused_at_the_alias_that_passes_the_limit() -> None:
    tracemalloc.start()
    try:
        with memory_cap():
            err = refused(bomb())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (p,) = err.problems
    # Levels hold 10, 91, 820, 7,381 and 66,430 values: the running total passes 50,000 at an
    # alias of l3 inside l4 (line 5), so lines 6 to 30 were never even composed.
    assert p.source == "hostile.yaml" and p.line == 5 and p.value == "*l3"
    assert "alias *l3" in p.message and f"{MAX_VALUES:,} values" in p.message
    assert "alias bomb" in p.message and "use fewer aliases" in p.message
    assert "cannot read hostile.yaml" in str(err)
    assert peak < 50_000_000  # the node graph only, never the expansion


def test_an_alias_inside_the_value_it_names_is_refused() -> None:
    (p,) = refused("a: &loop [1, *loop]\n").problems
    assert p.line == 1 and p.field == "a.1" and "repeat forever" in p.message


def test_nesting_is_capped_even_a_20000_deep_list() -> None:
    for text, field in ((deep(), "0.0.0.0"), ("a: " + "{a: " * 20_000 + "1" + "}" * 20_000, "a.a")):
        (p,) = refused(text).problems
        assert p.line == 1 and p.field.startswith(field) and "levels more" in p.field
        assert f"more than {MAX_DEPTH} levels" in p.message and "brackets" in p.message


def test_aliases_count_towards_the_depth() -> None:
    inner = "[" * (MAX_DEPTH - 5) + "1" + "]" * (MAX_DEPTH - 5)
    text = f"a: &a {inner}\nb: [[[[[[[[[[*a]]]]]]]]]]\n"
    (p,) = refused(text).problems
    assert p.line == 2 and p.value == "*a" and "once expanded" in p.message


def test_a_document_of_too_many_values_is_refused_where_it_passes_the_limit() -> None:
    text = "x:\n" + "".join(f"  - {i}\n" for i in range(MAX_VALUES + 10))
    (p,) = refused(text).problems
    # The mapping, its key x and the list are three values: item MAX_VALUES - 3 is one too many.
    assert (p.line, p.field) == (MAX_VALUES - 1, f"x.{MAX_VALUES - 3}")
    assert f"more than {MAX_VALUES:,} values" in p.message


def test_a_document_over_the_byte_limit_is_refused() -> None:
    (p,) = refused("x: '" + "a" * MAX_BYTES + "'\n").problems
    assert p.field == "(file)" and f"{MAX_BYTES:,} bytes" in p.message


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:
        f.truncate(8 * CAP_BYTES)  # sparse: 8 GiB that reading would have to hold in memory
    with memory_cap(), pytest.raises(ValidationError) as caught:
        load_located_file(huge)
    (p,) = caught.value.problems
    assert p.source == str(huge) and p.value == f"{8 * CAP_BYTES:,} bytes"
    assert "split it into smaller files" in p.message


@pytest.mark.parametrize(
    ("text", "line", "field", "tag", "kind"),
    [
        (
            "name: x\ntasks: !!python/object/apply:os.system [echo hi]\n",
            2,
            "tasks",
            "!!python/object/apply:os.system",
            "list",
        ),
        (
            "a:\n  b: !!python/object:os.Thing {x: 1}\n",
            2,
            "a.b",
            "!!python/object:os.Thing",
            "mapping",
        ),
        ("a: !!python/name:os.system ''\n", 1, "a", "!!python/name:os.system", "value"),
        ("a: [1, !custom 2]\n", 1, "a.1", "!custom", "value"),
        ("? !!python/tuple [1, 2]\n: v\n", 1, "(key)", "!!python/tuple", "list"),
        ("a: !!binary aGk=\n", 1, "a", "!!binary", "value"),
        ("a: !!set {x, y}\n", 1, "a", "!!set", "mapping"),
        ("a: !!seq text\n", 1, "a", "!!seq", "value"),
    ],
)
def test_every_tag_that_is_not_plain_data_is_refused(
    text: str, line: int, field: str, tag: str, kind: str
) -> None:
    (p,) = refused(text).problems
    assert (p.line, p.field, p.value) == (line, field, tag)
    assert f"the YAML tag {tag} on this {kind} is not allowed" in p.message
    assert "remove the tag" in p.message


def test_plain_tags_are_still_read() -> None:
    doc = load_located("a: !!str 12\nb: !!int '3'\nc: !!seq [1]\nd: !!map {e: !!null ''}\n", "t")
    assert doc.data == {"a": "12", "b": 3, "c": [1], "d": {"e": None}}


def test_a_value_yaml_cannot_build_names_its_line() -> None:
    (p,) = refused("a:\n  when: 2026-13-45\n").problems
    assert (p.line, p.field, p.value) == (2, "a.when", "2026-13-45")
    assert "YYYY-MM-DD" in p.message


def test_instrument_framework_and_initiative_readers_all_refuse() -> None:
    loaders: tuple[Callable[[str, str], object], ...] = (
        load_instrument_text,
        load_framework_text,
        load_initiative_text,
    )
    tagged = "id: x\nitems: !!python/object/apply:os.system [echo hi]\n"
    for load in loaders:
        with memory_cap(), pytest.raises(ValidationError) as caught:
            load(bomb(), "hostile.yaml")
        assert "alias *l3" in caught.value.problems[0].message
        with pytest.raises(ValidationError) as caught:
            load(tagged, "tag.yaml")
        assert caught.value.problems[0].value == "!!python/object/apply:os.system"


# --- the command line -------------------------------------------------------------------------


def bifocals(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed `bifocals` command in a child process whose address space is capped."""
    exe = Path(sys.executable).with_name("bifocals")
    kib = (vm_bytes() + CAP_BYTES) // 1024
    return subprocess.run(
        ["bash", "-c", f'ulimit -v {kib}; exec "$0" "$@"', str(exe), *args],
        capture_output=True,
        text=True,
        check=False,
    )


HOSTILE = {
    "bomb.yaml": (bomb(), "alias *l3"),
    "deep.yaml": (deep(), f"more than {MAX_DEPTH} levels"),
    "tag.yaml": (
        demo_initiative_text().replace("tasks:", "tasks: !!python/object/apply:os.system", 1),
        "the YAML tag !!python/object/apply:os.system on this list is not allowed",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_change_import_refuses_hostile_yaml(name: str, sqlite_url: str, tmp_path: Path) -> None:
    text, said = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = bifocals("change", "import", str(path), "--db", sqlite_url)
    assert done.returncode == 1, done.stderr
    assert f"error: cannot read {path}" in done.stderr and said in done.stderr
    assert "Traceback" not in done.stderr
    with store_at(sqlite_url) as store:
        assert list_initiatives(store) == []


def test_instrument_and_framework_commands_refuse_hostile_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(), encoding="utf-8")
    for args in (("instrument", "check", str(path)), ("framework", "show", "--file", str(path))):
        done = bifocals(*args)
        assert done.returncode == 1 and "alias *l3" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


# --- the web upload ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_initiative_upload_refuses_hostile_yaml(name: str, sqlite_url: str, auth: Auth) -> None:
    text, said = HOSTILE[name]
    add_user(sqlite_url, "coach@example.org", "facilitator")
    client = auth("coach@example.org")
    with memory_cap():
        r = client.post(
            "/initiatives/import",
            files={"file": (name, text, "text/yaml")},
        )
    assert r.status_code == 400, r.text
    assert f"Nothing was imported from upload:{name}" in r.text and said in r.text
    with store_at(sqlite_url) as store:
        assert list_initiatives(store) == []
