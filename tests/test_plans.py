"""Development plans and pulse checks through the service layer, on a real database.

A participant of the released demo campaign writes a plan on two scales and shares it; at the
plan's date the pulse starts (same raters, same thresholds, only those scales' items); raters
answer; the deadline closes and releases it; the participant sees the pulse against the full
campaign. Attacks: another participant, a facilitator, a manager link after unsharing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.errors import Conflict, Forbidden, NotFound, ValidationError
from bifocals.instruments import get_instrument
from bifocals.services.accounts import create_user
from bifocals.services.campaigns import campaign_id_by_name
from bifocals.services.plans import (
    manager_link,
    own_plan,
    parse_plan,
    plan_by_link,
    save_plan,
    shared_plans,
)
from bifocals.services.pulse import (
    pulse_items,
    pulse_view,
    release_closed_pulses,
    start_due_pulses,
)
from bifocals.services.schedule import tick
from bifocals.services.security import User
from bifocals.services.settings import WebSettings
from bifocals.services.token_links import LinkStatus
from bifocals.store import Store, open_store
from bifocals.store.plan_tables import pulse_campaigns
from bifocals.store.tables import campaigns, participants, raters, responses

DEMO = "Northwind leadership programme 2026"
PASSWORD = "a long enough password 1"
TODAY = date(2026, 12, 1)


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def released(tmp_path: Path) -> str:
    db = str(tmp_path / "plans.db")
    assert run("demo", "load", "--db", db)[0] == 0
    assert run("campaign", "release", DEMO, "--db", db, "--yes")[0] == 0
    return db


def participant_user(store: Store, code: str) -> User:
    uid = create_user(
        store,
        f"{code.lower()}@example.org",
        "participant",
        PASSWORD,
        campaign=DEMO,
        participant=code,
    )
    with store.engine.connect() as conn:
        pid = conn.execute(
            sa.select(participants.c.id)
            .join(campaigns)
            .where(campaigns.c.name == DEMO, participants.c.code == code)
        ).scalar_one()
    return User(uid, f"{code.lower()}@example.org", "participant", int(pid))


def form(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "scales": ["focus_goals.leadership", "risk_taking.leadership"],
        "actions": "Share the team's three-year picture at every monthly meeting.",
        "support": "Feedback from my manager after each meeting.",
        "pulse_on": (TODAY + timedelta(days=60)).isoformat(),
        "share_coach": "1",
    }
    base.update(over)
    return base


def test_plan_form_is_validated_field_by_field() -> None:
    inst = get_instrument("bifocals_open_360")
    bad = form(
        scales=[
            "focus_goals.leadership",
            "a.b",
            "time_horizon.management",
            "roles_responsibilities.management",
        ],
        actions=" ",
        pulse_on="1 March",
    )
    with pytest.raises(ValidationError) as err:
        parse_plan(bad, inst, TODAY)
    fields = {p.field for p in err.value.problems}
    assert fields == {"scales", "actions", "pulse_on"}
    assert "at most 3" in str(err.value) and "'a.b'" in str(err.value)
    with pytest.raises(ValidationError, match="at least 7 days"):
        parse_plan(form(pulse_on=(TODAY + timedelta(days=2)).isoformat()), inst, TODAY)
    ok = parse_plan(form(), inst, TODAY)
    assert ok.share_coach and not ok.share_manager and len(ok.scales) == 2


def test_plan_then_pulse_end_to_end(released: str) -> None:
    inst = get_instrument("bifocals_open_360")
    with open_store(f"sqlite:///{released}") as store:
        p02 = participant_user(store, "P02")
        p03 = participant_user(store, "P03")
        cid = campaign_id_by_name(store, DEMO)
        plan = save_plan(store, p02, parse_plan(form(), inst, TODAY))
        assert own_plan(store, p03) is None  # another participant sees nothing of it
        admin = User(1, "admin@example.org", "admin", None)
        assert [p.code for p in shared_plans(store, admin, cid)] == ["P02"]
        stranger = User(99, "f@example.org", "facilitator", None)
        with pytest.raises(NotFound):
            shared_plans(store, stranger, cid)
        with pytest.raises(Forbidden):
            save_plan(store, admin, parse_plan(form(), inst, TODAY))
        # the manager link works while shared, and dies when unshared
        with pytest.raises(Conflict, match="share the plan with your manager"):
            manager_link(store, p02)
        save_plan(store, p02, parse_plan(form(share_manager="1"), inst, TODAY))
        token = manager_link(store, p02)
        status, seen = plan_by_link(store, token)
        assert status is LinkStatus.VALID and seen is not None and seen.actions == plan.actions
        save_plan(store, p02, parse_plan(form(), inst, TODAY))
        assert plan_by_link(store, token)[0] is not LinkStatus.VALID
        # not yet due: nothing starts; at the date the pulse starts once, whoever ticks
        day = datetime.combine(plan.pulse_on, datetime.min.time(), UTC) + timedelta(hours=8)
        assert start_due_pulses(store, day - timedelta(days=1)) == []
        (name,) = tick(store, WebSettings(), at=day).pulses  # the schedule's tick starts it
        assert start_due_pulses(store, day) == []
        with store.engine.connect() as conn:
            pulse = conn.execute(sa.select(campaigns).where(campaigns.c.name == name)).one()
            full = conn.execute(sa.select(campaigns).where(campaigns.c.id == cid)).one()
            asked = pulse_items(conn, int(pulse.id))
            assert pulse_items(conn, cid) is None
            old_raters = conn.execute(
                sa.select(raters.c.code, raters.c.group)
                .join(participants)
                .where(participants.c.campaign_id == cid, participants.c.code == "P02")
            ).all()
            new_raters = conn.execute(
                sa.select(raters.c.id, raters.c.code, raters.c.group).where(
                    raters.c.campaign_id == pulse.id
                )
            ).all()
        assert pulse.status == "open" and pulse.threshold_peer == full.threshold_peer
        assert sorted((r.code, r.group) for r in new_raters) == sorted(map(tuple, old_raters))
        assert asked == {
            i.id
            for i in inst.items
            if (i.dimension, i.side)
            in {("focus_goals", "leadership"), ("risk_taking", "leadership")}
        }
        # scales and date are fixed now; the texts are not
        with pytest.raises(Conflict, match="pulse check has started"):
            save_plan(store, p02, parse_plan(form(scales=["time_horizon.leadership"]), inst, TODAY))
        save_plan(store, p02, parse_plan(form(actions="New wording."), inst, TODAY))
        view = pulse_view(store, p02)
        assert view is not None and view.status == "open" and view.changes is None
        # every rater answers the pulse's items four points out of five (reverse-keyed: two),
        # then it closes
        stamp = day + timedelta(days=1)
        with store.engine.begin() as conn:
            for r in new_raters:
                conn.execute(
                    sa.insert(responses),
                    [
                        {"rater_id": r.id, "item_id": i, "value": 2 if inst.item(i).reverse else 4}
                        for i in sorted(asked)
                    ],
                )
                conn.execute(
                    sa.update(raters).where(raters.c.id == r.id).values(submitted_at=stamp)
                )
        # the tick after the deadline closes the pulse and releases it to the participant
        after = tick(store, WebSettings(), at=day + timedelta(days=15))
        assert after.closed == [name] and after.released == [name]
        assert release_closed_pulses(store) == []
        view = pulse_view(store, p02)
        assert view is not None and view.status == "released" and view.changes
        assert {(c.dimension, c.side) for c in view.changes} == {
            ("focus_goals", "leadership"),
            ("risk_taking", "leadership"),
        }
        assert all(c.after == 4.0 and c.group == "others" for c in view.changes)
        with store.engine.connect() as conn:
            assert (
                conn.execute(sa.select(sa.func.count()).select_from(pulse_campaigns)).scalar() == 1
            )
