"""Which comments may be shown, under which group name, and in which order.

A comment is shown only when its rater's unit is shown: self comments as "self", a group shown
alone under its own key, pooled raters under the pool's key; suppressed raters' comments are
dropped. The order never follows submission order: comments are sorted by question (instrument
order), then by a keyed hash sha256(salt + participant + text), so that neither the order of the
input nor a known salt-free hash can tell which comment came in when.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bifocals.scoring.anonymity import SUPPRESSED, UNIT_KEYS
from bifocals.scoring.model import Comment, ReportedComment


def comment_key(salt: str, participant: str, text: str) -> str:
    """The keyed hash that orders comments (hex sha256 of salt, participant and text)."""
    h = hashlib.sha256()
    for part in (salt, participant, text):
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def shown_comments(
    comments: Sequence[Comment],
    rater_unit: Sequence[int],
    participant: str,
    salt: str,
    question_order: dict[str, int],
) -> tuple[ReportedComment, ...]:
    """The comments of one participant that may be shown, attributed and ordered.

    rater_unit maps each comment's rater index to its unit code (anonymity.Units.unit). Blank
    comments are dropped.
    """
    keyed: list[tuple[int, str, str, ReportedComment]] = []
    for c in comments:
        unit = rater_unit[c.rater]
        if unit == SUPPRESSED or not c.text.strip():
            continue
        shown = ReportedComment(group=UNIT_KEYS[unit], question=c.question, text=c.text)
        rank = question_order.get(c.question, len(question_order))
        keyed.append((rank, comment_key(salt, participant, c.text), shown.group, shown))
    keyed.sort(key=lambda t: (t[0], t[1], t[2], t[3].question))
    return tuple(t[3] for t in keyed)
