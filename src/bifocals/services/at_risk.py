"""Warnings before loss: the rater groups that, if the campaign closed now, would not be shown
on their own in a participant's report (pooled with other small groups, or left out), and how
many more answers would save each.

The decision is the reports' own (bifocals.anonymity.decide_groups, on the campaign's
thresholds), made on the raters counted so far: a rater counts once they have submitted at
least one rating on the scale. Groups with raters invited but nobody counted yet are listed too
(they would be left out). The facilitator already sees how many of each group answered on the
progress page, so these warnings reveal nothing new; the participant never sees them.

Before release, reports_without_others lists the participants whose report would show no one's
answers but their own (nobody else answered, or every others' group is under its threshold and
nothing is pooled). It scores the campaign exactly as the reports do (score_campaign on the
stored answers) but reads no result, so it marks nothing seen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from bifocals.anonymity import count_by_key, counted, decide_groups
from bifocals.framework import default_framework
from bifocals.scoring import score_campaign
from bifocals.scoring.model import GROUPS
from bifocals.services.people import GROUP_LABELS
from bifocals.store import Store
from bifocals.store.campaigns import thresholds_of
from bifocals.store.tables import campaigns, participants, raters, responses


@dataclass(frozen=True)
class AtRisk:
    """One group of one participant that would not be shown alone."""

    participant_id: int
    participant: str  # code and name
    group: str
    counted: int
    invited: int
    threshold: int
    fate: str  # "pooled" (with other small groups) or "dropped"
    more_needed: int  # answers still needed for the group to be shown alone

    @property
    def reachable(self) -> bool:
        """Whether enough raters of the group are still to answer to save it."""
        return self.invited - self.counted >= self.more_needed

    def sentence(self) -> str:
        """What will happen and what would prevent it, for the page."""
        label = GROUP_LABELS.get(self.group, self.group).lower()
        plural = "s" if self.threshold != 1 else ""
        now = f"{self.counted} of {self.invited} {label}{'s' if self.invited != 1 else ''}"
        fate = (
            "would be pooled with the other small groups"
            if self.fate == "pooled"
            else "would be left out of the report"
        )
        if self.reachable:
            n = self.more_needed
            fix = f"{n} more answer{'s' if n != 1 else ''} would show it on its own"
        else:
            fix = (
                f"even if everyone invited answers it stays under {self.threshold} "
                f"{label}{plural}: invite more"
            )
        return f"{self.participant}: {now} counted; the group {fate}; {fix}."


def groups_at_risk(conn: sa.Connection, campaign_id: int) -> list[AtRisk]:
    """Every (participant, group) of the campaign that would not be shown alone at close."""
    camp = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).one()
    thresholds = thresholds_of(camp)
    # A rater counts once submitted with a rating on the scale: an EXISTS per rater of this
    # campaign (the responses index on rater_id), not a scan of every campaign's responses.
    rated = sa.exists().where(responses.c.rater_id == raters.c.id, responses.c.value.isnot(None))
    counted = sa.case((sa.and_(raters.c.submitted_at.isnot(None), rated), 1), else_=0)
    rows = conn.execute(
        sa.select(
            raters.c.participant_id,
            raters.c.group,
            sa.func.count().label("invited"),
            sa.func.sum(counted).label("counted"),
            participants.c.code,
            participants.c.name,
        )
        .join(participants, participants.c.id == raters.c.participant_id)
        .where(raters.c.campaign_id == campaign_id)
        .group_by(raters.c.participant_id, raters.c.group, participants.c.code, participants.c.name)
        .order_by(participants.c.code)
    ).all()
    people: dict[int, tuple[str, dict[str, tuple[int, int]]]] = {}
    for r in rows:
        label = f"{r.code} {r.name or ''}".strip()
        people.setdefault(int(r.participant_id), (label, {}))[1][str(r.group)] = (
            int(r.counted),
            int(r.invited),
        )
    if not people:
        return []
    pids = list(people)
    counts = np.array(
        [[people[p][1].get(g, (0, 0))[0] for g in GROUPS] for p in pids], dtype=np.int64
    )
    invited = np.array(
        [[people[p][1].get(g, (0, 0))[1] for g in GROUPS] for p in pids], dtype=np.int64
    )
    thr = np.array([thresholds.for_group(g) for g in GROUPS], dtype=np.int64)
    never = np.array([g == "self" for g in GROUPS], dtype=np.bool_)
    decision = decide_groups(counts, counts > 0, thr, thresholds.pooled, never)
    out: list[AtRisk] = []
    for i, pid in enumerate(pids):
        for j, group in enumerate(GROUPS):
            if group == "self" or invited[i, j] == 0 or decision.alone[i, j]:
                continue
            out.append(
                AtRisk(
                    pid,
                    people[pid][0],
                    group,
                    int(counts[i, j]),
                    int(invited[i, j]),
                    int(thr[j]),
                    "pooled" if decision.pooled[i, j] else "dropped",
                    int(thr[j] - counts[i, j]),
                )
            )
    return out


@dataclass(frozen=True)
class Unseen:
    """A participant whose report would show no one's answers but their own."""

    participant: str  # code and name
    answered: int  # raters other than self who gave at least one rating

    def sentence(self) -> str:
        """Why, for the page and the terminal (the facilitator sees these counts anyway)."""
        if not self.answered:
            return f"{self.participant}: no one but themself answered."
        people = f"{self.answered} {'people' if self.answered != 1 else 'person'}"
        return (
            f"{self.participant}: {people} answered, fewer than each group needs for anonymity "
            "and too few to pool."
        )


def reports_without_others(store: Store, campaign_id: int) -> list[Unseen]:
    """The participants of a closed campaign whose report would show no others' group, by
    code; empty for a campaign in any other status (nothing to release)."""
    with store.engine.connect() as conn:
        camp = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).one()
        if camp.status != "closed":
            return []
        names = {
            str(r.code): f"{r.code} {r.name or ''}".strip()
            for r in conn.execute(
                sa.select(participants.c.code, participants.c.name).where(
                    participants.c.campaign_id == campaign_id
                )
            )
        }
    data, instrument = store.load_campaign_data(str(camp.name))
    scores = score_campaign(data, instrument, default_framework())
    others = data.rater_group != GROUPS.index("self")
    answered = count_by_key(
        data.rater_participant[others],
        counted(~np.isnan(data.ratings[others])),
        len(data.participants),
    )
    return [
        Unseen(names.get(ps.participant, ps.participant), int(answered[i]))
        for i, ps in enumerate(scores.participants)
        if all(g.key == "self" for g in ps.groups)
    ]
