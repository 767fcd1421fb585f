"""Themes proposed for `themes: auto` tasks from their wording, by sentence embeddings.

The text analyzer's embedder (bifocals.text.embed) supplies the embeddings; proposals are
never confirmed by the machine: each carries its confidence and stays unconfirmed until a person
writes the themes into the initiative file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from bifocals.change.model import Initiative, ThemeProposal

Embedder = Callable[[list[str]], npt.NDArray[np.float64]]
# Softmax temperature over cosine similarities; small because sentence cosines sit close together.
TEMPERATURE = 0.05
# A second theme is proposed when its probability reaches this share.
SECOND_THEME_MIN = 0.3


def propose_from_embeddings(
    task_ids: Sequence[str],
    task_vecs: npt.NDArray[np.float64],
    theme_ids: Sequence[str],
    theme_vecs: npt.NDArray[np.float64],
) -> tuple[ThemeProposal, ...]:
    """For each task, the most similar theme (and a close second) with a softmax confidence."""
    if len(task_ids) == 0 or len(theme_ids) == 0:
        return ()

    def unit(m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n = np.linalg.norm(m, axis=1, keepdims=True)
        return m / np.where(n > 0, n, 1.0)

    sims = unit(task_vecs) @ unit(theme_vecs).T
    z = (sims - sims.max(axis=1, keepdims=True)) / TEMPERATURE
    prob = np.exp(z)
    prob /= prob.sum(axis=1, keepdims=True)
    order = np.argsort(-prob, axis=1)
    out: list[ThemeProposal] = []
    for i, task in enumerate(task_ids):
        first = int(order[i, 0])
        out.append(ThemeProposal(task, theme_ids[first], float(prob[i, first])))
        if len(theme_ids) > 1:
            second = int(order[i, 1])
            if prob[i, second] >= SECOND_THEME_MIN:
                out.append(ThemeProposal(task, theme_ids[second], float(prob[i, second])))
    return tuple(out)


def analyzer_embedder() -> Embedder:
    """The text analyzer's sentence embedder (bifocals.text.embed.Embedder, the model shipped
    with the package). Its model loads on the first call; an error loading it is a real error
    and surfaces as one."""
    from bifocals.text.embed import Embedder as SentenceEmbedder

    model: list[SentenceEmbedder] = []

    def run(texts: list[str]) -> npt.NDArray[np.float64]:
        if not model:
            model.append(SentenceEmbedder())
        return np.asarray(model[0].embed(texts), dtype=np.float64)

    return run


def with_proposals(ini: Initiative, embedder: Embedder | None) -> Initiative:
    """The initiative with theme proposals for its `themes: auto` tasks (unchanged without one)."""
    auto = [t for t in ini.tasks if t.auto]
    if embedder is None or not auto:
        return ini
    theme_texts = [f"{t.name}. {t.description}".strip() for t in ini.themes]
    vecs = embedder([t.name for t in auto] + theme_texts)
    props = propose_from_embeddings(
        [t.id for t in auto], vecs[: len(auto)], [t.id for t in ini.themes], vecs[len(auto) :]
    )
    return replace(ini, proposals=props)
