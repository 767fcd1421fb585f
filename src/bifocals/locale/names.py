"""Names the framework gives in English, marked for the catalogues (the framework's YAML is not
a template, so its texts are listed here; a test checks this list against the framework)."""

from __future__ import annotations

from bifocals.locale import N_, translations

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
# The quadrants of the leadership x management map (bifocals.scoring.model).
QUADRANT_NAMES = (
    N_("leads and manages"),
    N_("leads more than manages"),
    N_("manages more than leads"),
    N_("developing both"),
)
