"""Rebuild docs/benchmarks.md from bench/results/*.md.

docs/benchmarks.md keeps its hand-written introduction and summary table (everything before
the first results section); each results file follows as a section, its headings moved down
one level, in the order below.
Run: .venv/bin/python bench/collect.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
ORDER = (
    "scoring", "store", "score_command", "reports", "text", "analyze_stream", "segment", "change",
    "web_load",
)  # fmt: skip


def section(path: Path) -> str:
    """A results file with every Markdown heading one level deeper."""
    lines = path.read_text(encoding="utf-8").strip().splitlines()
    return "\n".join("#" + ln if ln.startswith("#") else ln for ln in lines)


def main() -> None:
    files = [RESULTS / f"{name}.md" for name in ORDER]
    extra = sorted(set(RESULTS.glob("*.md")) - set(files))
    sections = [section(p) for p in [*files, *extra] if p.exists()]
    doc = DOC.read_text(encoding="utf-8")
    first = min(
        (i for i in (doc.find("\n" + s.splitlines()[0] + "\n") for s in sections) if i >= 0),
        default=len(doc),
    )
    DOC.write_text(doc[:first].rstrip() + "\n\n" + "\n\n".join(sections) + "\n", "utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}: {len(sections)} sections")


if __name__ == "__main__":
    main()
