"""YAML that cannot be read, explained: where (line and column), what YAML said, what to do.

The locating loader (`bifocals.yamlsource`) reports a syntax error with its line only; the
initiative loader asks for these fuller problems when it gets one, parsing the text again (only
on that error path, so a valid file is parsed once).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from bifocals.errors import Problem, ValidationError

SYNTAX_FIELD = "(syntax)"

# What to do, by a fragment of what the YAML parser said (first match wins).
_HINTS: tuple[tuple[str, str], ...] = (
    (
        "'\\t'",
        "YAML indents with spaces only: replace the tab with spaces",
    ),
    (
        "mapping values are not allowed",
        "a text holding ': ' must be quoted (evidence: \"Note: signed\"), and a key must not be "
        "indented deeper than the keys beside it",
    ),
    (
        "expected ',' or",
        "inside {...} or [...] a comma ends a value: quote texts that hold commas, and close "
        "every bracket you open",
    ),
    (
        "flow",
        "inside {...} or [...] a comma ends a value: quote texts that hold commas, and close "
        "every bracket you open",
    ),
    (
        "quoted scalar",
        "a quoted text is not closed: end it with the same quote it starts with",
    ),
    (
        "undefined alias",
        "a value starting with * is read as a YAML alias: put the text in quotes",
    ),
    (
        "expected <block end>",
        "check the indentation: the keys of one entry, and the '-' of the entries of one list, "
        "start in the same column",
    ),
    (
        "expected key",
        "check the indentation: the keys of one entry start in the same column",
    ),
    (
        "expected '-' indicator",
        "check the indentation: every entry of a list starts with '-' in the same column",
    ),
)
_DEFAULT_HINT = (
    "look at this line and the one before it for wrong indentation, a bracket or quote that is "
    "not closed, or a text that needs quotes"
)


@dataclass(frozen=True)
class SyntaxProblem(Problem):
    """A Problem for text that is not valid YAML; it reads as a sentence, not as a field."""

    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.message}"


def _line_text(text: str, line: int | None) -> str:
    lines = text.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return ""
    return lines[line - 1].strip()


def explain(text: str, source: str, exc: yaml.YAMLError) -> SyntaxProblem:
    """The problem for a YAML syntax error raised while parsing text."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    said = str(getattr(exc, "problem", None) or exc).strip()
    context = getattr(exc, "context", None)
    cmark = getattr(exc, "context_mark", None)
    if context and cmark is not None and (cmark.line + 1) != line:
        said += f" ({context} that starts at line {cmark.line + 1})"
    hint = next((h for frag, h in _HINTS if frag in said), _DEFAULT_HINT)
    shown = _line_text(text, line)
    at = f" The line reads: {shown!r}." if shown else ""
    message = f"not valid YAML: YAML says {said}. What to do: {hint}.{at}"
    return SyntaxProblem(source, line, SYNTAX_FIELD, shown or None, message, column)


def syntax_error(text: str, source: str) -> ValidationError | None:
    """A ValidationError explaining why text is not valid YAML, or None when it parses."""
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return ValidationError([explain(text, source, exc)], f"cannot read {source}")
    return None


def _find_bad_scalar(
    node: yaml.Node, path: tuple[str | int, ...]
) -> tuple[yaml.Node, tuple[str | int, ...], Exception] | None:
    """The first scalar whose value YAML's safe rules cannot build, with its path and error."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            found = _find_bad_scalar(key_node, path)
            if found is not None:
                return found
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            found = _find_bad_scalar(value_node, (*path, str(key)))
            if found is not None:
                return found
        return None
    if isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            found = _find_bad_scalar(child, (*path, i))
            if found is not None:
                return found
        return None
    try:
        yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        return node, path, exc
    return None


def value_error(text: str, source: str, exc: Exception) -> ValidationError:
    """A ValidationError for a value that parses as YAML but cannot be built (a bad date, an
    unsupported tag), naming its line, field and what to do."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    found = _find_bad_scalar(node, ()) if node is not None else None
    if found is None:
        problem = Problem(source, None, "(document)", None, f"cannot read this YAML: {exc}")
        return ValidationError([problem], f"cannot read {source}")
    bad, path, err = found
    field = ".".join(str(p) for p in path) or "(document)"
    if isinstance(err, ValueError):
        msg = (
            f"looks like a date but is not one ({err}); write a real date as YYYY-MM-DD, or put "
            "the text in quotes"
        )
    else:
        msg = (
            f"the YAML tag {bad.tag} is not supported; remove it, or put the value in quotes "
            "if it is text"
        )
    problem = Problem(source, bad.start_mark.line + 1, field, bad.value, msg)
    return ValidationError([problem], f"invalid initiative {source}; nothing was imported")
