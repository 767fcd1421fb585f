"""The texts of invitations and reminders: built-in ones, or a campaign's own, with placeholders.

A campaign may replace the subject and body of its invitation and of its reminder. Placeholders
are words in braces, filled when each message is sent:

    {participant}  who the feedback is about (a participant's own self-assessment always
                   gets the built-in self texts)
    {campaign}     the campaign's name
    {deadline}     the last day for answers ("no set date" when there is none)
    {minutes}      about how many minutes the questionnaire takes
    {link}         the rater's private link (a body must contain it)

An unknown placeholder is an error that names it, so a typo cannot reach a thousand raters.

Each rater is written to in their language (the rater's, else the participant's, else English),
from the catalogues in bifocals/locale. A campaign's own texts are written in one language, so
they go to the raters who read English; raters in another language get the built-in texts in
theirs, with the same placeholders filled.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from bifocals.errors import Invalid
from bifocals.instruments.model import Instrument
from bifocals.locale import DEFAULT_LANGUAGE, N_, format_date, gettext_for, language_or_default

PLACEHOLDERS: tuple[str, ...] = ("participant", "campaign", "deadline", "minutes", "link")
_FIELD = re.compile(r"\{([^{}]*)\}")
SECONDS_PER_RATING = 8
SECONDS_PER_QUESTION = 60

INVITE_SUBJECT = N_("Your feedback for {participant} is asked")
INVITE_BODY = N_("""\
You are invited to give feedback in "{campaign}".

The questions are about what you have seen {participant} do at work. Your answers are pooled
with those of others: no one sees what you, in particular, answered.

It takes about {minutes} minutes, and you can stop and come back with the same link.
Please answer by {deadline}:
{link}

Keep this link to yourself: it is the only key to your answers. If this message reached you by
mistake, just ignore it.
""")
REMIND_SUBJECT = N_("Reminder: your feedback for {participant}")
REMIND_BODY = N_("""\
A friendly reminder: your answers about {participant} in "{campaign}" have not reached us yet.
Answers are taken until {deadline}; it takes about {minutes} minutes.

Your private link (a new one: any earlier link to this questionnaire no longer works, and the
answers you saved with it are kept):
{link}
""")
SELF_SUBJECT = N_("Your self-assessment in {campaign}")
SELF_BODY = N_("""\
As part of "{campaign}" you are asked how you see your own leadership and management.

It takes about {minutes} minutes, and you can stop and come back with the same link.
Please answer by {deadline}:
{link}

Keep this link to yourself: it is the only key to your answers.
""")
SELF_REMIND_SUBJECT = N_("Reminder: your self-assessment in {campaign}")
SELF_REMIND_BODY = N_("""\
A friendly reminder: your self-assessment in "{campaign}" has not reached us yet. Answers are
taken until {deadline}; it takes about {minutes} minutes.

Your private link (a new one: any earlier link no longer works, and the answers you saved with
it are kept):
{link}
""")


@dataclass(frozen=True)
class Texts:
    """A campaign's invitation and reminder texts (None: the built-in text)."""

    invite_subject: str | None = None
    invite_body: str | None = None
    remind_subject: str | None = None
    remind_body: str | None = None


def texts_of(row: object) -> Texts:
    """The texts of a campaigns row (its invite_* and remind_* columns)."""
    return Texts(
        getattr(row, "invite_subject", None),
        getattr(row, "invite_body", None),
        getattr(row, "remind_subject", None),
        getattr(row, "remind_body", None),
    )


def expected_minutes(instrument: Instrument) -> int:
    """About how long the questionnaire takes, in whole minutes (at least 1)."""
    seconds = (
        len(instrument.item_ids) * SECONDS_PER_RATING
        + len(instrument.question_ids) * SECONDS_PER_QUESTION
    )
    return max(1, math.ceil(seconds / 60))


def check_text(text: str, field: str, *, needs_link: bool) -> str | None:
    """A template as stored (None when blank: the built-in text), or an Invalid naming the
    unknown placeholder, or the missing {link} of a body."""
    clean = text.strip().replace("\r\n", "\n")
    if not clean:
        return None
    for name in _FIELD.findall(clean):
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise Invalid(f"{{{name}}} is not a placeholder; use {known}", field)
    if clean.count("{") != clean.count("}"):
        raise Invalid("a brace is not closed: write placeholders as {link}", field)
    if needs_link and "{link}" not in clean:
        raise Invalid("the message must contain {link}, the rater's private link", field)
    if len(clean) > (300 if field.endswith("subject") else 10_000):
        raise Invalid("the text is too long", field)
    if field.endswith("subject") and "\n" in clean:
        raise Invalid("a subject is one line", field)
    return clean


def fill(template: str, values: dict[str, str]) -> str:
    """The template with each placeholder replaced by its value."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def rater_message(
    texts: Texts,
    *,
    reminder: bool,
    is_self: bool,
    participant: str,
    campaign: str,
    deadline: datetime | None,
    minutes: int,
    link: str,
    language: str | None = None,
) -> tuple[str, str]:
    """Subject and body of one invitation or reminder, in `language` (default English). A
    campaign's own texts are for the raters of a participant who read English; a participant's
    own self-assessment always gets the built-in self texts (a text written about
    "{participant}" reads wrongly to that person)."""
    lang = language_or_default(language)
    values = {
        "participant": participant,
        "campaign": campaign,
        "deadline": deadline_text(deadline, lang),
        "minutes": str(minutes),
        "link": link,
    }
    if lang != DEFAULT_LANGUAGE:
        texts = Texts()  # the campaign's own texts are in one language: see the module's note
    if is_self:
        subject, body = (
            (SELF_REMIND_SUBJECT, SELF_REMIND_BODY) if reminder else (SELF_SUBJECT, SELF_BODY)
        )
    elif reminder:
        subject = texts.remind_subject or REMIND_SUBJECT
        body = texts.remind_body or REMIND_BODY
    else:
        subject = texts.invite_subject or INVITE_SUBJECT
        body = texts.invite_body or INVITE_BODY
    _ = gettext_for(lang)
    return fill(_(subject), values), fill(_(body), values)


def deadline_text(deadline: datetime | None, language: str | None = None) -> str:
    """The deadline as raters read it: the day, and that it ends at midnight UTC."""
    lang = language_or_default(language)
    _ = gettext_for(lang)
    if deadline is None:
        return _("no set date")
    day = (
        deadline.strftime("%A %d %B %Y")
        if lang == DEFAULT_LANGUAGE
        else format_date(deadline, lang, "full")
    )
    return day + " " + _("(end of the day, UTC)")
