"""Effort exports read without a database: Jira's issue and worklog CSVs, GitHub's issues JSON
(gh CLI, REST API, project items) and timesheets; the period, workstream and theme rules; every
problem named with file, line, field and value."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from bifocals.change.alignment import alignment
from bifocals.change.effort_plan import EffortItem, EffortPlan, overlay_effort
from bifocals.change.effort_preview import preview_effort
from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.change.model import Initiative, ThemeProposal
from bifocals.change.period_dates import period_calendar, period_range
from bifocals.change.proposals import analyzer_embedder
from bifocals.cli.common import problem_line
from bifocals.errors import ValidationError
from bifocals.services.effort import EffortFile, make_plan
from support.effort_exports import (
    GitHubIssue,
    JiraIssue,
    cost_quarter_export,
    gh_issue_list,
    jira_csv,
    project_items,
    rest_issues,
    timesheet_csv,
    worklog_csv,
)


@pytest.fixture(scope="module")
def demo() -> Initiative:
    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    return ini


def plan(
    ini: Initiative, kind: str, name: str, data: bytes, mapping: str | None = None
) -> EffortPlan:
    rules = EffortFile("map.yaml", mapping.encode()) if mapping is not None else None
    return make_plan(ini, kind, EffortFile(name, data), rules, embedder=None)


def problems(
    ini: Initiative, kind: str, name: str, data: bytes, mapping: str | None = None
) -> list[str]:
    with pytest.raises(ValidationError) as err:
        plan(ini, kind, name, data, mapping)
    assert "nothing was applied" in str(err.value) or "cannot read" in str(err.value)
    return [problem_line(p) for p in err.value.problems]


def q3(ini: Initiative) -> int:
    return ini.periods.index("2026-Q3")


def test_jira_issue_csv_with_jira_column_names(demo: Initiative) -> None:
    p = plan(demo, "jira", "jira.csv", cost_quarter_export())
    assert p.kind == "jira" and p.periods == ("2026-Q3",)
    assert len(p.items) == 12 and {i.themed_by for i in p.items} == {"label"}
    assert all(i.themes == {"cost": 1.0} and i.effort == {"2026-Q3": 10.0} for i in p.items)
    # Component/s "Platform" is the id of a workstream (case does not matter).
    assert {i.workstream for i in p.items} == {"platform"}
    after = overlay_effort(demo, p)
    t = q3(after)
    assert sum(task.effort[t] for task in after.tasks) == 120
    on_cost = sum(task.effort[t] for task in after.tasks if task.themes == {"cost": 1.0})
    assert on_cost == 120
    assert after.effort_source("2026-Q3").kind == "jira"
    assert after.effort_source("2026-Q2").kind == "file"
    # The other periods keep the file's effort.
    assert [task.effort[:2] for task in after.tasks[:44]] == [t.effort[:2] for t in demo.tasks]


def test_jira_worklogs_are_dated_one_by_one_and_time_spent_is_not_added(
    demo: Initiative,
) -> None:
    data = jira_csv(
        [
            JiraIssue(
                "PAY-7",
                "Move payment tokens to the vault",
                created="2026-05-02",
                resolved="2026-08-20",
                hours=7,  # Time Spent and Σ Time Spent: the sum of the worklogs below
                labels=["security", "backend"],
                components=["Order services and data migration"],
                worklogs=[("2026-06-29", 3), ("2026-07-02", 4)],
            ),
            JiraIssue(
                "PAY-8",
                "Write the vault runbook",
                created="2026-09-01",
                hours=2.5,
                epic="PAY-1",
                kind="Sub-task",
                parent="10400",
            ),
        ]
    )
    mapping = "epics: {PAY-1: [security, cloud_skills]}\n"
    p = plan(demo, "jira", "jira.csv", data, mapping)
    by_key = {i.key: i for i in p.items}
    assert by_key["PAY-7"].effort == {"2026-Q2": 3.0, "2026-Q3": 4.0}
    assert by_key["PAY-7"].themes == {"security": 1.0} and by_key["PAY-7"].themed_by == "label"
    # A component that is a workstream's name places the item.
    assert by_key["PAY-7"].workstream == "migration"
    # Unresolved: its creation date counts; its epic names the themes through the mapping.
    assert by_key["PAY-8"].effort == {"2026-Q3": 2.5}
    assert by_key["PAY-8"].themes == {"security": 0.5, "cloud_skills": 0.5}
    assert p.periods == ("2026-Q2", "2026-Q3")


def test_jira_bad_input_names_file_line_field_and_value(demo: Initiative) -> None:
    def good(
        key: str, summary: str, hours: float | None = None, raw: str | None = None
    ) -> JiraIssue:
        return JiraIssue(
            key, summary, "2026-06-01", "2026-07-10", hours, ["cost"], raw_time_spent=raw
        )

    data = jira_csv(
        [
            good("PAY-1", "Fine", hours=1),
            good("PAY-2", "Negative", raw="-3600"),
            good("PAY-3", "Words", raw="3h 30m"),
            JiraIssue(
                "PAY-4",
                "Typo",
                hours=2,
                created="2026-06-01",
                resolved="2026-07-11",
                labels=["theme:costs"],
            ),
            JiraIssue("PAY-5", "Late", hours=2, created="2026-06-01", resolved="2026-10-02"),
            JiraIssue("PAY-6", "Odd date", hours=2, created="2026-06-01", raw_resolved="3/7/2026"),
            good("PAY-1", "Twice", hours=1),
            good("PAY-7", "Re-saved", raw="28,800"),
        ]
    )
    found = problems(demo, "jira", "jira.csv", data)
    # Every issue's description holds a line break, so issue n starts on line 2n.
    assert found == [
        "jira.csv:4: Time Spent=-3600: PAY-2: time spent cannot be negative; correct the "
        "worklog in Jira and export again",
        "jira.csv:6: Time Spent=3h 30m: PAY-3: not a number; write it as a whole number of "
        "seconds, as Jira's CSV export does (36000 for 10 hours)",
        "jira.csv:8: Labels=theme:costs: PAY-4: this label names no theme of the initiative; "
        "did you mean 'cost'? the themes are: resilience, customer_speed, cost, security, "
        "cloud_skills, retire_legacy (rename the label, or map it under `labels:` in the "
        "mapping file)",
        "jira.csv:10: Resolved=02/Oct/26 4:15 PM: PAY-5: 2026-10-02 is after the initiative's "
        "last period (2026-Q3 ends 2026-09-30); leave it out of the export (filter the dates), "
        "or add a period for it to the initiative",
        "jira.csv:12: Resolved=3/7/2026: PAY-6: not a date: day and month could be either way "
        "round (a spreadsheet program writes dates like this when it saves the export again); "
        "upload the export as Jira wrote it (03/Jul/26 10:15 AM), or write YYYY-MM-DD",
        "jira.csv:14: Issue key=PAY-1: this issue is in the file twice (first on line 2), so "
        "its hours would count twice; export each issue once",
        "jira.csv:16: Time Spent=28,800: PAY-7: not whole seconds (a spreadsheet program may "
        "have added a thousands separator); write it as a whole number of seconds, as Jira's "
        "CSV export does (36000 for 10 hours)",
    ]


def test_a_csv_that_is_not_a_jira_export(demo: Initiative) -> None:
    found = problems(demo, "jira", "sheet.csv", b"Key,Title,Spent\nA-1,x,3\n")
    assert len(found) == 1 and found[0].startswith("sheet.csv:1: header=Key,Title,Spent:")
    assert "'Issue key', 'Summary', 'Created'" in found[0]


def test_jira_worklog_csv(demo: Initiative) -> None:
    data = worklog_csv(
        [
            ("PAY-20", "Tune autoscaling", 3.5, "2026-07-01", "Tomasz Nowak", "platform"),
            ("PAY-20", "Tune autoscaling", 2, "2026-07-02", "Fatima Haddad", "platform"),
            ("PAY-21", "Old database patching", 6, "2026-05-30", "Yuki Tanaka", "migration"),
        ]
    )
    p = plan(demo, "jira", "worklogs.csv", data, "items: {PAY-20: cost, PAY-21: retire_legacy}\n")
    assert p.kind == "jira worklog"
    by_key = {i.key: i for i in p.items}
    assert by_key["PAY-20"].effort == {"2026-Q3": 5.5} and by_key["PAY-20"].workstream == "platform"
    assert by_key["PAY-21"].effort == {"2026-Q2": 6.0}
    assert by_key["PAY-21"].themed_by == "mapping"
    bad = worklog_csv([("PAY-20", "x", -1, "2026-07-01", "Tomasz Nowak", "platform")])
    assert problems(demo, "jira", "w.csv", bad) == [
        "w.csv:2: Hours=-1: PAY-20: hours cannot be negative; correct the worklog and export again"
    ]


def test_github_gh_issue_list_with_estimate_labels(demo: Initiative) -> None:
    issues = [
        GitHubIssue(41, "Show the courier on the tracking page", "2026-06-20", "2026-07-08",
                    ["customer_speed", "estimate: 8h"], "Tracking v2"),
        GitHubIssue(42, "Cache carrier codes", "2026-07-01", "", ["5h", "workstream:integration"]),
        GitHubIssue(43, "Budget alerts per team", "2026-07-03", "2026-08-30", ["points: 3"]),
        GitHubIssue(44, "Nice to have", "2026-07-03", "", ["enhancement"]),
    ]  # fmt: skip
    for pretty in (False, True):
        p = plan(
            demo, "github", "issues.json", gh_issue_list(issues, pretty=pretty),
            "hours_per_point: 4\nitems: {'#43': cost}\n",
        )  # fmt: skip
        by_key = {i.key: i for i in p.items}
        assert set(by_key) == {"acme/orders#41", "acme/orders#42", "acme/orders#43"}
        assert by_key["acme/orders#41"].effort == {"2026-Q3": 8.0}
        assert by_key["acme/orders#41"].themes == {"customer_speed": 1.0}
        # Open: its creation date counts; a `workstream:` label places it.
        assert by_key["acme/orders#42"].effort == {"2026-Q3": 5.0}
        assert by_key["acme/orders#42"].workstream == "integration"
        assert by_key["acme/orders#43"].effort == {"2026-Q3": 12.0}  # 3 points of 4 hours
        assert by_key["acme/orders#43"].themed_by == "mapping"
        assert p.left_out == {"no estimate": 1}
        lines = {i.key: i.line for i in p.items}
        if pretty:
            assert len(set(lines.values())) == 3 and min(lines.values()) > 1
        else:  # gh writes one line when its output goes to a file
            assert set(lines.values()) == {1}


def test_github_rest_api_leaves_pull_requests_out_and_checks_estimates(
    demo: Initiative,
) -> None:
    issues = [
        GitHubIssue(7, "Rotate the vault keys", "2026-04-02", "2026-05-09", ["size/M", "security"]),
        GitHubIssue(8, "Two estimates", "2026-04-02", "", ["estimate: 2h", "3h"]),
        GitHubIssue(9, "Points", "2026-04-02", "", ["sp: 2"]),
    ]
    data = rest_issues(issues, pull_requests=[10, 11])
    found = problems(demo, "github", "rest.json", data, "estimate_labels: {size/M: 6}\n")
    assert len(found) == 2
    assert found[0].startswith("rest.json:") and ": labels=estimate: 2h, 3h: " in found[0]
    assert ": labels=sp: 2: " in found[1]
    assert "keep one" in found[0] and "hours_per_point" in found[1]
    ok = rest_issues(issues[:1], pull_requests=[10, 11])
    p = plan(demo, "github", "rest.json", ok, "estimate_labels: {size/M: 6}\n")
    assert [(i.key, i.effort, i.themes) for i in p.items] == [
        ("acme/orders#7", {"2026-Q2": 6.0}, {"security": 1.0})
    ]
    assert p.left_out == {"pull request": 2}


def test_github_project_items_with_a_number_field_and_a_date_field(demo: Initiative) -> None:
    data = project_items(
        [
            {"number": 50, "title": "Drop the idle test clusters", "estimate": 6,
             "done": "2026-08-12", "labels": ["theme: cost"]},
            {"number": 51, "title": "Rewrite the pick-list printer", "estimate": 4,
             "done": "2026-05-20"},
        ]
    )  # fmt: skip
    p = plan(demo, "github", "project.json", data, "date_field: Done on\n")
    by_key = {i.key: i for i in p.items}
    assert by_key["acme/orders#50"].effort == {"2026-Q3": 6.0}
    assert by_key["acme/orders#50"].themes == {"cost": 1.0}
    assert by_key["acme/orders#51"].effort == {"2026-Q2": 4.0}
    assert by_key["acme/orders#51"].themed_by == "none"


def test_github_broken_json(demo: Initiative) -> None:
    found = problems(demo, "github", "x.json", b'[\n  {"number": 1,\n  "title": }\n]\n')
    assert found[0].startswith("x.json:3: file=")
    assert "not valid JSON" in found[0]


def test_timesheet(demo: Initiative) -> None:
    data = timesheet_csv(
        [
            ("2026-07-06", "Ines Duarte", "T30", "6"),  # an initiative task by id
            ("2026-07-07", "Ines Duarte", "Recruit and coach cloud champions", "2"),  # by name
            ("2026-07-07", "Sam Osei", "Night shift briefing", "3,5"),
            ("2026-07-08", "Sam Osei", "Night shift briefing", "1.5"),
        ],
    )
    p = plan(demo, "timesheet", "hours.csv", data)
    by_key = {i.key: i for i in p.items}
    assert by_key["T30"].task == "T30" and by_key["T30"].themed_by == "task"
    assert by_key["T30"].workstream == "people"
    assert by_key["Recruit and coach cloud champions"].task == "T30"
    assert by_key["Night shift briefing"].effort == {"2026-Q3": 5.0}
    assert by_key["Night shift briefing"].themed_by == "none"
    after = overlay_effort(demo, p)
    t30 = next(t for t in after.tasks if t.id == "T30")
    assert t30.effort[q3(after)] == 8.0 and t30.origin == ""  # the hours count on the task
    assert t30.effort[:2] == next(t for t in demo.tasks if t.id == "T30").effort[:2]
    assert next(t for t in after.tasks if t.id == "Night shift briefing").origin


def test_timesheet_problems(demo: Initiative) -> None:
    data = timesheet_csv(
        [
            ("2026-07-06", "Ines Duarte", "T30", "-2", "", ""),
            ("03/07/2026", "Ines Duarte", "T30", "2", "", ""),
            ("2026-07-06", "Sam Osei", "Shift cover", "14", "", "cost"),
            ("2026-07-06", "Sam Osei", "Shift cover", "12", "", "cost"),
            ("2026-07-09", "Sam Osei", "Other", "1", "nowhere", "costs"),
        ],
        header="date,person,task,hours,workstream,themes",
    )
    found = problems(demo, "timesheet", "t.csv", data)
    fields = [f.split(": ", 2)[:2] for f in found]
    assert fields == [
        ["t.csv:2", "hours=-2"],
        ["t.csv:3", "date=03/07/2026"],
        ["t.csv:5", "hours=12"],
        ["t.csv:6", "themes=costs"],
        ["t.csv:6", "workstream=nowhere"],
    ], found
    assert "Sam Osei has 26 hours on 2026-07-06 (lines 4 to 5)" in found[2]
    assert "did you mean 'cost'?" in found[3]
    header = problems(demo, "timesheet", "t.csv", b"date,person,task,hour\n")
    assert "missing hours" in header[0] and "t.csv:1: header=hour:" in header[1]


def test_period_names_and_explicit_dates() -> None:
    d = dt.date
    assert period_range("2026-Q3") == (d(2026, 7, 1), d(2026, 9, 30))
    assert period_range("Q1 2027") == (d(2027, 1, 1), d(2027, 3, 31))
    assert period_range("2026-02") == (d(2026, 2, 1), d(2026, 2, 28))
    assert period_range("2026-H2") == (d(2026, 7, 1), d(2026, 12, 31))
    assert period_range("2026-W01") == (d(2025, 12, 29), d(2026, 1, 4))
    assert period_range("Sprint 14") is None and period_range("2026-13") is None
    cal, clashes = period_calendar(
        ("Sprint 14", "Sprint 15"),
        {
            "Sprint 14": (d(2026, 7, 1), d(2026, 7, 14)),
            "Sprint 15": (d(2026, 7, 14), d(2026, 7, 28)),
        },
    )
    assert cal.period_of(d(2026, 7, 3)) == "Sprint 14"
    assert clashes and clashes[0][0] == "Sprint 15" and "overlap" in clashes[0][1]


def test_sprints_need_their_dates_from_the_mapping_file(demo: Initiative) -> None:
    sprints = replace(demo, periods=("Sprint 14", "Sprint 15"), tasks=())
    data = timesheet_csv([("2026-07-06", "Ines Duarte", "Tag resources", "4")])
    found = problems(sprints, "timesheet", "t.csv", data)
    assert "no period of the initiative has dates" in found[0]
    mapping = (
        "periods:\n  Sprint 14: [2026-07-01, 2026-07-14]\n  Sprint 15: [2026-07-15, 2026-07-28]\n"
    )
    p = plan(sprints, "timesheet", "t.csv", data, mapping + "items: {Tag resources: cost}\n")
    assert p.items[0].effort == {"Sprint 14": 4.0}


def test_mapping_file_problems_come_first_with_their_lines(demo: Initiative) -> None:
    mapping = (
        "labels:\n"
        "  finops: costs\n"
        "lables: {x: cost}\n"
        "components: {Order API: migrations}\n"
        "periods: {2026-Q4: [2026-10-01, 2026-12-31]}\n"
        "tasks: {PAY-9: T99}\n"
    )
    found = problems(demo, "jira", "jira.csv", cost_quarter_export(), mapping)
    assert [f.split(": ", 2)[0] for f in found] == [
        "map.yaml:2", "map.yaml:3", "map.yaml:4", "map.yaml:5", "map.yaml:6",
    ], found  # fmt: skip
    assert "unknown theme; did you mean 'cost'?" in found[0]
    assert "did you mean 'labels'?" in found[1]


def test_theme_rules_in_order(demo: Initiative) -> None:
    data = jira_csv(
        [
            JiraIssue("A-1", "Labelled", "2026-07-01", "2026-07-02", 1, ["cost", "security"]),
            JiraIssue("A-2", "Mapped item wins", "2026-07-01", "2026-07-02", 1, ["cost"]),
            JiraIssue("A-3", "Epic by name", "2026-07-01", "2026-07-02", 1,
                      epic="Retire the data centre system"),
            JiraIssue("A-4", "Label mapped", "2026-07-01", "2026-07-02", 1, ["finops"]),
            JiraIssue("A-5", "Nothing", "2026-07-01", "2026-07-02", 1, ["backend"]),
        ]
    )  # fmt: skip
    mapping = "items: {A-2: resilience}\nlabels: {finops: cost}\nworkstream: platform\n"
    p = plan(demo, "jira", "jira.csv", data, mapping)
    got = {i.key: (i.themes, i.themed_by, i.workstream) for i in p.items}
    assert got == {
        "A-1": ({"cost": 0.5, "security": 0.5}, "label", "platform"),
        "A-2": ({"resilience": 1.0}, "mapping", "platform"),
        "A-3": ({"retire_legacy": 1.0}, "epic", "platform"),
        "A-4": ({"cost": 1.0}, "label", "platform"),
        "A-5": ({}, "none", "platform"),
    }
    pv = preview_effort(demo, p)
    assert pv.untagged()["items"] == 1 and pv.untagged()["share"] == 0.2
    assert pv.themed_by() == {"mapping": 1, "label": 2, "epic": 1, "none": 1}


def test_a_later_import_replaces_only_its_periods(demo: Initiative) -> None:
    july = plan(demo, "jira", "q3.csv", cost_quarter_export())
    may = plan(
        demo, "timesheet", "q2.csv",
        timesheet_csv([("2026-05-04", "Ines Duarte", "T30", "5")]),
    )  # fmt: skip
    both = overlay_effort(overlay_effort(demo, july, "2026-10-01T10:00"), may, "2026-10-02T10:00")
    assert both.effort_source("2026-Q3").source == "q3.csv"
    assert both.effort_source("2026-Q2").source == "q2.csv"
    assert both.effort_source("2026-Q1").kind == "file"
    totals = [sum(t.effort[p] for t in both.tasks) for p in range(3)]
    assert totals == [sum(t.effort[0] for t in demo.tasks), 5.0, 120.0]
    # A newer import of the third quarter takes the place of the older one's items.
    again = overlay_effort(both, july, "2026-10-03T10:00")
    assert len(again.tasks) == len(both.tasks)
    round_trip = EffortPlan.from_json(july.to_json())
    assert round_trip == july


def test_items_nothing_themes_get_the_analyzers_proposals(demo: Initiative) -> None:
    data = timesheet_csv(
        [
            ("2026-07-06", "Kwame Mensah", "Compare the cloud bill with the budget forecast", "3"),
            ("2026-07-06", "Hannah Weber", "Teach operators to read the new alerts", "2"),
        ]
    )
    p = make_plan(demo, "timesheet", EffortFile("t.csv", data), None, analyzer_embedder())
    assert {i.themed_by for i in p.items} == {"proposed"}
    assert {pr.task for pr in p.proposals} == {i.key for i in p.items}
    assert all(pr.theme in {t.id for t in demo.themes} and not pr.confirmed for pr in p.proposals)
    pv = preview_effort(demo, p)
    assert sum(t["proposed"] for t in pv.themes()) >= 2 and pv.untagged()["items"] == 0
    after = overlay_effort(demo, p)
    assert {pr.task for pr in after.proposals} >= {i.key for i in p.items}


def test_timesheets_saved_by_spreadsheets(demo: Initiative) -> None:
    from bifocals.store.sheets import xlsx_bytes

    rows = [("2026-07-06", "Ines Duarte", "T30", 7.5), ("2026-07-07", "Sam Osei", "T28", 2)]
    book = xlsx_bytes(("date", "person", "task", "hours"), rows, "Hours")
    p = plan(demo, "timesheet", "hours.xlsx", book)
    assert {i.key: i.effort for i in p.items} == {"T30": {"2026-Q3": 7.5}, "T28": {"2026-Q3": 2.0}}
    # A spreadsheet set to a European locale: semicolons, decimal commas, Windows-1252.
    euro = "date;person;task;hours\r\n2026-07-06;Inès Duarte;T30;7,5\r\n".encode("cp1252")
    p = plan(demo, "timesheet", "hours.csv", euro)
    assert p.items[0].effort == {"2026-Q3": 7.5}


def test_hours_beyond_five_person_years_on_one_item_are_refused(demo: Initiative) -> None:
    # Seconds read as milliseconds: 36,000,000 "seconds" is 10,000 hours and more.
    data = jira_csv(
        [JiraIssue("PAY-1", "Huge", "2026-06-01", "2026-07-10", raw_time_spent="36000001")]
    )
    found = problems(demo, "jira", "jira.csv", data)
    assert len(found) == 1 and "Time Spent=36000001" in found[0]
    assert "more than 10,000 (five person-years)" in found[0]
    assert "36000 for 10 hours" in found[0]


def test_a_jira_export_given_as_a_timesheet_says_which_format_it_is(demo: Initiative) -> None:
    found = problems(demo, "timesheet", "jira.csv", cost_quarter_export())
    assert len(found) == 1
    assert "this is a Jira export" in found[0] and "--from jira" in found[0]


def test_a_reimported_item_does_not_keep_an_earlier_imports_guess(demo: Initiative) -> None:
    """Apply an export whose item only the analyzer themed, then the same export with the
    item confirmed by a mapping: the angle is the confirmed import's alone (the guess was for
    the earlier import's item, which the new one replaces under the same key)."""
    theme_ids = [t.id for t in demo.themes]
    guessed, confirmed = theme_ids[0], theme_ids[-1]
    item = EffortItem(
        key="PAY-104",
        name="Payslip preview",
        line=2,
        workstream="",
        themes={},
        themed_by="proposed",
        effort={"2026-Q3": 40.0},
    )
    first = EffortPlan(
        "jira",
        "jira_q3.csv",
        ("2026-Q3",),
        (item,),
        proposals=(ThemeProposal("PAY-104", guessed, 0.76),),
    )
    after_first = overlay_effort(demo, first)
    assert [p.theme for p in after_first.proposals if p.task == "PAY-104"] == [guessed]
    mapped = replace(item, themes={confirmed: 1.0}, themed_by="items")
    second = EffortPlan("jira", "jira_q3.csv", ("2026-Q3",), (mapped,), mapping_source="m.yaml")
    after_both = overlay_effort(after_first, second)
    assert not [p for p in after_both.proposals if p.task == "PAY-104"]
    alone = alignment(overlay_effort(demo, second))
    both = alignment(after_both)
    at = q3(demo)
    assert both.angle[at] == pytest.approx(alone.angle[at])
    assert both.effort[:, at].tolist() == pytest.approx(alone.effort[:, at].tolist())


def test_labels_ignore_case_dashes_underscores_and_spaces(demo: Initiative) -> None:
    """The rule the docs give for labels: `retirelegacy`, `Customer-Speed` and the theme's
    name with a dash all name their theme; a `theme:` label naming none is still a problem."""
    issues = [
        JiraIssue("A-1", "No separator", "2026-07-01", "2026-07-02", 1, ["retirelegacy"]),
        JiraIssue("A-2", "Dash for underscore", "2026-07-01", "2026-07-02", 1, ["Customer-Speed"]),
        JiraIssue("A-3", "Theme's name", "2026-07-01", "2026-07-02", 1,
                  ["theme:Cloud-skills in every team"]),
    ]  # fmt: skip
    got = {i.key: i.themes for i in plan(demo, "jira", "jira.csv", jira_csv(issues)).items}
    assert got == {
        "A-1": {"retire_legacy": 1.0},
        "A-2": {"customer_speed": 1.0},
        "A-3": {"cloud_skills": 1.0},
    }
    wrong = [*issues, JiraIssue("A-4", "Typo", "2026-07-01", "2026-07-02", 1, ["theme:cots"])]
    found = problems(demo, "jira", "jira.csv", jira_csv(wrong))
    assert len(found) == 1 and "Labels=theme:cots" in found[0]
    assert "names no theme" in found[0] and "'cost'" in found[0]


def test_theme_ids_equal_under_the_label_rule_are_told_apart_by_spelling(
    demo: Initiative,
) -> None:
    """Two theme ids that differ only by '_' (`retire_legacy`, `retirelegacy`): a label
    spelled as one of them names it; one that names both alike is a problem, not a guess."""
    extra = replace(demo.themes[0], id="retirelegacy", name="Legacy gone")
    ini = replace(demo, themes=(*demo.themes, extra))
    issues = [
        JiraIssue("A-1", "Exact", "2026-07-01", "2026-07-02", 1, ["retirelegacy"]),
        JiraIssue("A-2", "Exact", "2026-07-01", "2026-07-02", 1, ["Retire_Legacy"]),
    ]
    got = {i.key: i.themes for i in plan(ini, "jira", "jira.csv", jira_csv(issues)).items}
    assert got == {"A-1": {"retirelegacy": 1.0}, "A-2": {"retire_legacy": 1.0}}
    both = [*issues, JiraIssue("A-3", "Alike", "2026-07-01", "2026-07-02", 1, ["retire-legacy"])]
    found = problems(ini, "jira", "jira.csv", jira_csv(both))
    assert len(found) == 1 and "Labels=retire-legacy" in found[0]
    assert "A-3: names 'retire_legacy' and 'retirelegacy' alike" in found[0]
    # The mapping file settles it; a mapping naming one label twice is a problem.
    mapped = plan(ini, "jira", "jira.csv", jira_csv(both), "labels: {retire-legacy: cost}\n")
    assert {i.key: i.themes for i in mapped.items}["A-3"] == {"cost": 1.0}
    twice = "labels: {retire-legacy: cost, Retire Legacy: security}\n"
    found = problems(ini, "jira", "jira.csv", jira_csv(both), twice)
    assert any("the same name as 'retire-legacy'" in f for f in found)


def test_an_export_without_a_time_column_says_which_columns_it_has(demo: Initiative) -> None:
    """A Time Spent column renamed in a spreadsheet: the problem names the column found and
    the names that are read, instead of "8 with no time spent"."""
    renamed = cost_quarter_export().replace(b",Time Spent,", b",Time spent (h),", 1)
    found = problems(demo, "jira", "jira.csv", renamed)
    assert len(found) == 1 and "no time spent" not in found[0]
    assert "no column holds the time spent" in found[0]
    assert "'Time spent (h)', 'Σ Time Spent' are not read as one" in found[0]
    assert "'Log Work' columns hold no worklog" in found[0]
    assert "read from 'Time Spent' (seconds) or 'Log Work' (worklogs)" in found[0]
    # A worklog CSV whose hours column has another name.
    logs = worklog_csv([("PAY-1", "Tag resources", 2.0, "2026-07-06", "Ines Duarte", "")])
    logs = logs.replace(b"Hours", b"Duration", 1)
    found = problems(demo, "jira", "logs.csv", logs)
    assert len(found) == 1 and "no column holds the time spent" in found[0]
    assert "'Hours', 'Time Spent (h)', 'Hours Worked' (hours)" in found[0]


def test_unconfirmed_themes_are_confirmed_where_the_tasks_came_from(demo: Initiative) -> None:
    """Items an import's analyzer themed are confirmed in the mapping file's `items:`, not
    in the initiative file (which is where the file's own tasks are)."""
    from bifocals.change.alignment import alignment_findings

    def unconfirmed(ini: Initiative) -> tuple[str, str, str]:
        found = {f.code: f for f in alignment_findings(alignment(ini), ini)}
        f = found["themes_unconfirmed"]
        return f.subject, f.message, f.action

    assert not [p for p in demo.proposals if not p.confirmed]
    item = EffortItem("PAY-104", "Payslip preview", 2, "", {}, "proposed", {"2026-Q3": 4.0})
    guess = ThemeProposal("PAY-104", "cost", 0.76)
    imported = overlay_effort(
        demo, EffortPlan("jira", "q3.csv", ("2026-Q3",), (item,), proposals=(guess,))
    )
    subject, message, action = unconfirmed(imported)
    assert subject == "1 imported item (jira: q3.csv)"
    assert message.startswith("1 imported item (jira: q3.csv) is tagged by the text analyzer")
    assert "under `items:` in the import's mapping file" in action
    assert "initiative file" not in action
    both = replace(imported, proposals=(*imported.proposals, ThemeProposal("T01", "cost", 0.6)))
    subject, message, action = unconfirmed(both)
    assert subject == "1 task and 1 imported item (jira: q3.csv)"
    assert "are tagged" in message
    assert "in the initiative file" in action and "`items:`" in action
    own = replace(demo, proposals=(ThemeProposal("T01", "cost", 0.6),))
    assert unconfirmed(own)[2] == (
        "Confirm or correct the proposed themes: the tasks' themes in the initiative file, "
        "then import that file again."
    )
