"""A rater's answers as plain data: read from a form or JSON, checked against the instrument.

Pure: no I/O. Answers map an item id to "1".."5" (the scale's points) or "NA" (not observed),
and an open question id to its text. Drafts keep whatever passes the shape checks (unknown ids
and out-of-scale values are dropped, long texts refused); a submission must also answer at least
half of the rating items (not observed is allowed everywhere, but counts as unanswered).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bifocals.instruments.model import Instrument

NOT_OBSERVED = "NA"
MAX_TEXT = 4000
FIELD_PREFIX = "a_"


@dataclass(frozen=True)
class Checked:
    """Answers that passed the checks, and a message per field that did not."""

    answers: dict[str, str]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        """True when nothing was refused."""
        return not self.errors


def scale_values(instrument: Instrument) -> tuple[str, ...]:
    """The accepted rating values: each scale point as text, then not observed."""
    points = tuple(str(v) for v in range(instrument.scale.min, instrument.scale.max + 1))
    return (*points, NOT_OBSERVED)


def from_form(fields: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Answers from form fields named a_<item id> (other fields are ignored)."""
    out: dict[str, str] = {}
    for key, value in fields:
        if key.startswith(FIELD_PREFIX):
            out[key[len(FIELD_PREFIX) :]] = value
    return out


def check(instrument: Instrument, raw: Mapping[str, object], final: bool) -> Checked:
    """Check answers against the instrument; `final` adds the half-answered rule."""
    allowed = scale_values(instrument)
    items = set(instrument.item_ids)
    questions = set(instrument.question_ids)
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(value, str):
            errors[key] = "an answer must be text"
        elif key in items:
            if value == "":
                continue
            if value not in allowed:
                errors[key] = (
                    f"choose one of {', '.join(allowed[:-1])} or "
                    f"'{instrument.scale.not_observed_label}'"
                )
            else:
                answers[key] = value
        elif key in questions:
            text = value.strip()
            if len(text) > MAX_TEXT:
                errors[key] = f"keep this answer under {MAX_TEXT} characters (it has {len(text)})"
            elif text:
                answers[key] = text
        else:
            errors[key] = "this question is not part of the questionnaire"
    if final and not errors:
        rated = sum(1 for k, v in answers.items() if k in items and v != NOT_OBSERVED)
        need = (len(items) + 1) // 2
        if rated < need:
            errors["_form"] = (
                f"Please rate at least {need} of the {len(items)} statements "
                f"(you have rated {rated}); 'not observed' is fine for the others"
            )
    return Checked(answers, errors)


def to_json(answers: Mapping[str, str]) -> str:
    """Answers as the JSON text stored in drafts."""
    return json.dumps(dict(answers), sort_keys=True, ensure_ascii=False)


def from_json(text: str | None) -> dict[str, str]:
    """Answers from a stored draft (anything malformed reads as no answers)."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)}


def progress(instrument: Instrument, answers: Mapping[str, str]) -> tuple[int, int]:
    """(rating items answered, including not observed; rating items in all)."""
    done = sum(1 for i in instrument.item_ids if answers.get(i))
    return done, len(instrument.item_ids)


def response_rows(
    instrument: Instrument, rater_id: int, answers: Mapping[str, str]
) -> list[dict[str, object]]:
    """Rows for the core responses table: every rating item (NULL = not observed or skipped)
    and each answered open question."""
    rows: list[dict[str, object]] = []
    for item_id in instrument.item_ids:
        value = answers.get(item_id)
        number = float(value) if value and value != NOT_OBSERVED else None
        rows.append({"rater_id": rater_id, "item_id": item_id, "value": number, "text": None})
    for qid in instrument.question_ids:
        text = answers.get(qid)
        if text:
            rows.append({"rater_id": rater_id, "item_id": qid, "value": None, "text": text})
    return rows
