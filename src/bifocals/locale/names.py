"""Names the framework gives in English, marked for the catalogues (the framework's YAML is not
a template, so its texts are listed here; a test checks this list against the framework), the
notes the services write in English for a report, and the fixed texts of the services that a
participant's or a stakeholder's page shows (the rater groups a participant suggests raters in,
the readiness survey's statements and scale; tests check them against the services)."""

from __future__ import annotations

import dataclasses

from bifocals.framework.model import Framework, SideSpec
from bifocals.locale import DEFAULT_LANGUAGE, N_, language_or_default, translations

DIMENSION_NAMES = (
    N_("Focus and goals"),
    N_("Roles and responsibilities"),
    N_("Decision-making"),
    N_("Relationship with people"),
    N_("Risk-taking"),
    N_("Time horizon"),
    N_("Source of influence"),
)
SIDE_NAMES = (N_("Leadership"), N_("Management"))


def framework_name(text: str, language: str | None) -> str:
    """A dimension or side name in `language` (as written when the catalogue lacks it)."""
    return translations(language).gettext(text)


# The groups of raters as scoring names them (bifocals.scoring.model.GROUP_LABELS).
GROUP_NAMES = (
    N_("Self"),
    N_("Manager"),
    N_("Peers"),
    N_("Direct reports"),
    N_("Others"),
    N_("Other raters (pooled)"),
    N_("All raters except self"),
)
# The groups a participant suggests raters in (bifocals.services.people.GROUP_LABELS).
RATER_GROUP_LABELS = (N_("Self"), N_("Manager"), N_("Peer"), N_("Direct report"), N_("Other"))
# The quadrants of the leadership x management map (bifocals.scoring.model).
QUADRANT_NAMES = (
    N_("leads and manages"),
    N_("leads more than manages"),
    N_("manages more than leads"),
    N_("developing both"),
)

# Why a report lacks a comparison that was asked for: services.baselines writes these in
# English, the report shows them in its language (bifocals.locale.translated_text).
NOT_RELEASED_NOTE = N_("the reports of {campaign} were not released, so there is no change to show")
NO_RESULTS_NOTE = N_("{campaign} has no results yet, so there is no change to show")
COMPARISON_NOTES = (NOT_RELEASED_NOTE, NO_RESULTS_NOTE)

# The readiness survey's five statements, each after its short topic, and its agreement scale
# (bifocals.services.readiness_links.QUESTIONS and SCALE, in their order).
READINESS_TEXTS = (
    N_("Why"),
    N_("I understand why this change is happening, and why it has to happen now."),
    N_("Wanting it"),
    N_("I want to take part in this change and help it succeed."),
    N_("Knowing how"),
    N_("I know what I will do differently once the change is in place, and how to do it."),
    N_("Being able to"),
    N_("I can actually work the new way: I have the time, the tools and the skills for it."),
    N_("Making it last"),
    N_(
        "I expect the new way to last: it is recognised and supported, and we will not slide "
        "back to the old way."
    ),
)
READINESS_SCALE = (
    N_("Strongly disagree"),
    N_("Disagree"),
    N_("Neither agree nor disagree"),
    N_("Agree"),
    N_("Strongly agree"),
)

# The framework's own texts shown in reports: each dimension's summary, each side's label and
# description (bifocals/framework/data/default.yaml), in framework order.
FRAMEWORK_TEXTS = (
    N_("What a person pays attention to and where their goals come from."),
    N_("Sets direction"),
    N_(
        "Works out where the team should be heading and why, and keeps that picture in "
        "front of people so it guides their choices."
    ),
    N_("Plans and budgets"),
    N_(
        "Turns goals into concrete targets, schedules and budgets, and keeps the "
        "operation running efficiently day to day."
    ),
    N_("How a person gets work organized and people lined up behind it."),
    N_("Aligns people"),
    N_(
        "Brings people together around a shared direction, shapes a healthy culture and "
        "encourages new ideas."
    ),
    N_("Organizes and staffs"),
    N_(
        "Sets up structures, roles and procedures, puts the right people in them and "
        "coordinates the work between them."
    ),
    N_("What kind of decisions a person takes on and how they go about them."),
    N_("Decides under uncertainty"),
    N_(
        "Takes on ambiguous, strategic questions, decides when the facts are incomplete "
        "and shapes the overall direction."
    ),
    N_("Decides by procedure and data"),
    N_(
        "Solves structured, recurring problems with established rules, data and "
        "analysis, and keeps decisions consistent."
    ),
    N_("How a person works with the people around them."),
    N_("Inspires and develops"),
    N_("Motivates people through meaning and trust, empowers them and helps them grow."),
    N_("Directs and evaluates"),
    N_(
        "Gives clear instructions, monitors performance against standards and deals with "
        "conflicts and under-performance."
    ),
    N_("How a person treats risk, change and the status quo."),
    N_("Takes calculated risks"),
    N_(
        "Challenges the way things are done, backs promising experiments and treats "
        "failure as something to learn from."
    ),
    N_("Keeps things stable"),
    N_(
        "Protects stability and reliability, anticipates what could go wrong and puts "
        "controls in place."
    ),
    N_("How far ahead a person looks."),
    N_("Looks to the long term"),
    N_(
        "Thinks years ahead, watches the outside world for what is coming and keeps the "
        "organization sustainable."
    ),
    N_("Delivers in the short term"),
    N_("Concentrates on this quarter's results, near-term deadlines and operational efficiency."),
    N_("What a person relies on to get others to act."),
    N_("Influences through trust"),
    N_(
        "Gets people to act through credibility, example and persuasion, whether or not "
        "they hold a formal position."
    ),
    N_("Uses position and authority"),
    N_("Gets work done through the formal role: assigning, approving, holding people to account."),
)


def framework_texts(framework: Framework) -> tuple[str, ...]:
    """The texts of `framework` that FRAMEWORK_TEXTS lists (a test compares the two)."""
    return tuple(
        t
        for d in framework.dimensions
        for t in (
            d.summary,
            d.leadership.label,
            d.leadership.description,
            d.management.label,
            d.management.description,
        )
    )


def translated_framework(framework: Framework, language: str | None) -> Framework:
    """`framework` with its names, summaries, labels and descriptions in `language` (as
    written where the catalogue lacks a text); ids and behaviours stay as they are."""
    if language_or_default(language) == DEFAULT_LANGUAGE:
        return framework
    _ = translations(language).gettext

    def side(spec: SideSpec) -> SideSpec:
        return dataclasses.replace(spec, label=_(spec.label), description=_(spec.description))

    return dataclasses.replace(
        framework,
        dimensions=tuple(
            dataclasses.replace(
                d,
                name=_(d.name),
                summary=_(d.summary),
                leadership=side(d.leadership),
                management=side(d.management),
            )
            for d in framework.dimensions
        ),
    )
