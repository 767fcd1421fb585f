"""Text analyzer: leadership, management or neither, per framework dimension, offline."""

from bifocals.text.analyzer import Analyzer, Classification, mean_confidence
from bifocals.text.segment import Span, segment, sentences

__all__ = ["Analyzer", "Classification", "Span", "mean_confidence", "segment", "sentences"]
