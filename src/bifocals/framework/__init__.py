"""The leadership/management framework: dimensions with two separate sides."""

from bifocals.framework.loader import default_framework, load_framework, load_framework_text
from bifocals.framework.model import SIDES, Dimension, Framework, Side, SideSpec, SourceRef

__all__ = [
    "SIDES",
    "Dimension",
    "Framework",
    "Side",
    "SideSpec",
    "SourceRef",
    "default_framework",
    "load_framework",
    "load_framework_text",
]
