"""360 scoring: scale scores, gaps with CIs, agreement, reliability, indices, anonymity rules.

Pure and vectorized (numpy); adapters call score_campaign and render what it returns.
"""

from bifocals.scoring.campaign import score_campaign
from bifocals.scoring.comments import comment_key
from bifocals.scoring.engine import ScoreArrays, compute_arrays
from bifocals.scoring.model import (
    ALL_OTHERS,
    DEVELOPING_BOTH,
    GROUP_LABELS,
    GROUPS,
    LEADS_AND_MANAGES,
    LEADS_MORE,
    MANAGES_MORE,
    POOLED,
    QUADRANTS,
    CampaignData,
    CampaignScores,
    Comment,
    Gap,
    Highlight,
    ParticipantScores,
    Reliability,
    ReportedComment,
    ReportedGroup,
    Thresholds,
)
from bifocals.scoring.participants import ParticipantSequence, quadrant
from bifocals.scoring.reliability import cronbach_alpha, omega_from_cov, omega_total

__all__ = [
    "ALL_OTHERS",
    "DEVELOPING_BOTH",
    "GROUPS",
    "GROUP_LABELS",
    "LEADS_AND_MANAGES",
    "LEADS_MORE",
    "MANAGES_MORE",
    "POOLED",
    "QUADRANTS",
    "CampaignData",
    "CampaignScores",
    "Comment",
    "Gap",
    "Highlight",
    "ParticipantScores",
    "ParticipantSequence",
    "Reliability",
    "ReportedComment",
    "ReportedGroup",
    "ScoreArrays",
    "Thresholds",
    "comment_key",
    "compute_arrays",
    "cronbach_alpha",
    "omega_from_cov",
    "omega_total",
    "quadrant",
    "score_campaign",
]
