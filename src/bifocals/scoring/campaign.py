"""score_campaign: the one entry point adapters call to score a 360 campaign."""

from __future__ import annotations

from bifocals.framework.model import Framework
from bifocals.instruments.model import Instrument
from bifocals.scoring.engine import compute_arrays
from bifocals.scoring.model import CampaignData, CampaignScores
from bifocals.scoring.participants import ParticipantSequence


def score_campaign(
    data: CampaignData, instrument: Instrument, framework: Framework
) -> CampaignScores:
    """Score a whole campaign: per-participant cells, gaps, indices, comments; reliability.

    Pure (no I/O) and vectorized. Anonymity rules are applied before anything is computed for
    output (see docs/scoring.md). Raises bifocals.errors.ValidationError when the inputs do not
    fit together. participants is a lazy sequence: numbers are all computed here, the Python
    objects of one participant are built when first accessed.
    """
    arrays, reliability = compute_arrays(data, instrument, framework)
    return CampaignScores(
        campaign=data.campaign,
        instrument=instrument.id,
        thresholds=data.thresholds,
        participants=ParticipantSequence(arrays, data, instrument.question_ids),
        reliability=reliability,
    )
