"""Direction from what leaders say (`bifocals change direction NAME FILE...`): memos and
town-hall transcripts read as plain text and coded into the initiative's themes by
`change.direction`, beside the theme weights and the effort.

Reading is all or nothing: a file that is missing, too large, not text or not readable as
UTF-8 (or Windows-1252) is a problem naming the file, and nothing is coded. Nothing is stored;
the read leaves the readiness survey alone (it shows no readiness answers).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bifocals.change.direction import Direction, code_direction
from bifocals.change.proposals import Embedder, analyzer_embedder
from bifocals.errors import Problem, ValidationError
from bifocals.services.change_records import HasEngine, SurveyState, get_initiative
from bifocals.text.guard import looks_binary

MAX_DOCUMENT_BYTES = 2_000_000
MAX_DOCUMENTS = 50


def _document(path: Path, problems: list[Problem]) -> tuple[str, str] | None:
    def problem(message: str) -> None:
        problems.append(Problem(str(path), None, "file", str(path), message))

    try:
        with path.open("rb") as f:
            data = f.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        problem("file not found; check the path")
        return None
    except IsADirectoryError:
        problem("is a folder; give the memo or transcript files themselves")
        return None
    except OSError as exc:
        problem(f"cannot be opened ({exc.strerror}); check its permissions")
        return None
    if len(data) > MAX_DOCUMENT_BYTES:
        problem(f"is larger than {MAX_DOCUMENT_BYTES:,} bytes; split it into several files")
        return None
    if looks_binary(data[:8192]):
        problem(
            "is not plain text (a word-processor or PDF file?); save it as plain text (.txt) "
            "and give that file"
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return str(path), text


def _no_web_answers(conn: object, state: SurveyState) -> bool:
    """A read that needs no readiness answers: it includes none and records nothing."""
    return False


def leaders_direction(
    store: HasEngine,
    name: str,
    paths: Sequence[str | Path],
    embedder: Embedder | None = None,
) -> Direction:
    """Code the sentences of the files into the initiative's themes (ValidationError naming
    every file that cannot be read; then nothing is coded)."""
    if not paths:
        raise ValidationError(
            [Problem("FILE", None, "file", "", "give at least one memo or transcript")],
            "nothing to read",
        )
    if len(paths) > MAX_DOCUMENTS:
        raise ValidationError(
            [Problem("FILE", None, "file", len(paths), f"give at most {MAX_DOCUMENTS} files")],
            "too many files",
        )
    ini = get_initiative(store, name, _no_web_answers)
    problems: list[Problem] = []
    docs = [d for d in (_document(Path(p), problems) for p in paths) if d is not None]
    if problems:
        raise ValidationError(
            problems, f"{len(problems)} file(s) cannot be read; nothing was coded"
        )
    return code_direction(ini, docs, embedder or analyzer_embedder())
