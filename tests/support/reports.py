"""Shared set-up for the report tests: the demo campaign imported into a real SQLite store,
loaded back and scored."""

from __future__ import annotations

from pathlib import Path

from bifocals.demo import DEMO_CAMPAIGN, demo_csv
from bifocals.framework import Framework, default_framework
from bifocals.instruments import get_instrument
from bifocals.instruments.model import Instrument
from bifocals.scoring import CampaignScores, score_campaign
from bifocals.store import open_store


def scored_demo(folder: Path) -> tuple[CampaignScores, Framework, Instrument]:
    """Import the demo CSV into folder/demo.db, load it back and score it."""
    framework, instrument = default_framework(), get_instrument()
    csv_path = folder / "demo.csv"
    csv_path.write_text(demo_csv(instrument), encoding="utf-8")
    store = open_store(f"sqlite:///{folder / 'demo.db'}")
    try:
        store.import_campaign_csv(csv_path, DEMO_CAMPAIGN, None)
        data, instrument = store.load_campaign_data(DEMO_CAMPAIGN)
    finally:
        store.close()
    return score_campaign(data, instrument, framework), framework, instrument
