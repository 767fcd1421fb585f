"""The change workbench: duties, decision rights, alignment vectors, ADKAR readiness, findings.

Pure core: plain dataclasses and numpy in, plain data out; no database, no templates. The store
adapter (`services.change_records`) and the renderer (`reports.change`) sit on top.
"""

from bifocals.change.alignment import Alignment, align_arrays, alignment
from bifocals.change.catalogue import Catalogue, catalogue
from bifocals.change.checks import Finding
from bifocals.change.loader import (
    demo_initiative_text,
    initiative_from_data,
    load_initiative,
    load_initiative_text,
)
from bifocals.change.model import Initiative
from bifocals.change.readiness import Readiness, barrier_point, readiness
from bifocals.change.report import ChangeReport, build_report

__all__ = [
    "Alignment",
    "Catalogue",
    "ChangeReport",
    "Finding",
    "Initiative",
    "Readiness",
    "align_arrays",
    "alignment",
    "barrier_point",
    "build_report",
    "catalogue",
    "demo_initiative_text",
    "initiative_from_data",
    "load_initiative",
    "load_initiative_text",
    "readiness",
]
