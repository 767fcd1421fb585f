"""Export files as the tools write them, for the effort import tests: Jira's issue CSV (its
own column names, repeated columns, its date format, seconds), a worklog CSV, GitHub's issues
JSON (gh CLI, REST API, project items) and a timesheet. The contents are made up."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DEMO = "Move the order system to the cloud"

# The columns of a Jira Cloud "Export > CSV (all fields)", in the order Jira writes them. A
# field with several values gets as many columns of the same name as the issue with the most
# values needs; other issues leave the extra cells empty.
JIRA_HEAD = (
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name",
    "Project type", "Project lead", "Priority", "Resolution", "Assignee", "Reporter",
    "Creator", "Created", "Updated", "Last Viewed", "Resolved", "Fix versions",
)  # fmt: skip
JIRA_TAIL = (
    "Due date", "Votes", "Description", "Environment", "Original estimate",
    "Remaining Estimate", "Time Spent", "Work Ratio", "Σ Original Estimate",
    "Σ Remaining Estimate", "Σ Time Spent", "Security Level", "Custom field (Epic Link)",
    "Custom field (Story point estimate)", "Sprint", "Parent", "Parent summary",
    "Status Category", "Status Category Changed",
)  # fmt: skip


def jira_date(day: str, clock: str = "4:15 PM") -> str:
    """A date as Jira's CSV export writes it by default: 2026-07-10 -> 10/Jul/26 4:15 PM."""
    year, month, d = (int(x) for x in day.split("-"))
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{d:02d}/{names[month - 1]}/{year % 100:02d} {clock}"


@dataclass
class JiraIssue:
    """One issue of a Jira export (dates as YYYY-MM-DD, time spent in hours)."""

    key: str
    summary: str
    created: str
    resolved: str = ""
    hours: float | None = None
    labels: Sequence[str] = ()
    components: Sequence[str] = ()
    epic: str = ""
    parent: str = ""
    kind: str = "Task"
    worklogs: Sequence[tuple[str, float]] = ()  # (date, hours)
    raw_time_spent: str | None = None  # a cell written as is (for bad input)
    raw_resolved: str | None = None


def jira_csv(issues: Sequence[JiraIssue]) -> bytes:
    """A Jira issue CSV of these issues, UTF-8 with the byte-order mark Jira writes."""
    n_labels = max([len(i.labels) for i in issues] + [1])
    n_comp = max([len(i.components) for i in issues] + [1])
    n_logs = max([len(i.worklogs) for i in issues] + [1])
    header = [
        *JIRA_HEAD,
        *["Component/s"] * n_comp,
        *["Labels"] * n_labels,
        "Watchers",
        "Watchers",
        *["Log Work"] * n_logs,
        *JIRA_TAIL,
    ]
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    for n, i in enumerate(issues):
        seconds = "" if i.hours is None else str(round(i.hours * 3600))
        if i.raw_time_spent is not None:
            seconds = i.raw_time_spent
        resolved = jira_date(i.resolved) if i.resolved else ""
        if i.raw_resolved is not None:
            resolved = i.raw_resolved
        done = bool(i.resolved)
        logs = [
            f"Worked on it; see the ticket;{jira_date(day, '9:30 AM')};557058:{n:04d}aa;"
            f"{round(h * 3600)}"
            for day, h in i.worklogs
        ]
        row = [
            i.summary, i.key, str(10400 + n), i.kind, "Done" if done else "In Progress",
            "PAY", "Payments platform", "software", "Kwame Mensah", "Medium",
            "Done" if done else "", "Tomasz Nowak", "Fatima Haddad", "Fatima Haddad",
            jira_date(i.created, "9:02 AM"), jira_date(i.resolved or i.created, "5:40 PM"),
            "", resolved, "",
            *_pad(i.components, n_comp), *_pad(i.labels, n_labels),
            "tomasz", "fatima", *_pad(logs, n_logs),
            "", "0", f"Text with, commas and\na line break for {i.key}.", "", "", "",
            seconds, "", "", "", seconds, "", i.epic, "", "PAY Sprint 14", i.parent,
            "", "Done" if done else "In Progress", jira_date(i.created),
        ]  # fmt: skip
        w.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _pad(values: Sequence[str], n: int) -> list[str]:
    return [*values, *[""] * (n - len(values))]


def cost_quarter_export() -> bytes:
    """The acceptance check's file: 12 issues resolved July to September 2026, each with the
    label `cost` and 10 hours spent."""
    issues = []
    for n in range(12):
        month = 7 + n // 4
        issues.append(
            JiraIssue(
                key=f"PAY-{101 + n}",
                summary=f"Cut the cost of the order API, step {n + 1}",
                created="2026-06-15",
                resolved=f"2026-{month:02d}-{3 + 6 * (n % 4):02d}",
                hours=10,
                labels=["cost"],
                components=["Platform"],
            )
        )
    return jira_csv(issues)


WORKLOG_HEAD = (
    "Issue Key", "Issue summary", "Hours", "Work date", "Username", "Full name", "Period",
    "Account Key", "Account Name", "Activity Name", "Component", "All Components",
    "Version Name", "Issue Type", "Issue Status", "Project Key", "Project Name",
    "Work Description", "Parent Key", "Reporter", "External Hours", "Billed Hours",
    "Issue Original Estimate", "Issue Remaining Estimate", "Epic", "Epic Link",
)  # fmt: skip


def worklog_csv(rows: Sequence[tuple[str, str, float, str, str, str]]) -> bytes:
    """A worklog CSV (as a Jira timesheet app exports it): (key, summary, hours, date,
    person, component) per worklog."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(WORKLOG_HEAD)
    for key, summary, hours, day, person, component in rows:
        w.writerow(
            [
                key, summary, f"{hours:g}", f"{day} 00:00", person.split()[0].lower(), person,
                "2026", "ACME-OPS", "Operations", "Development", component, component, "",
                "Task", "Done", "PAY", "Payments platform", "Logged from the CLI", "", "",
                "0", f"{hours:g}", "", "", "", "",
            ]
        )  # fmt: skip
    return out.getvalue().encode("utf-8")


@dataclass
class GitHubIssue:
    """One issue as the gh CLI describes it (dates YYYY-MM-DD)."""

    number: int
    title: str
    created: str
    closed: str = ""
    labels: Sequence[str] = ()
    milestone: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _iso(day: str, clock: str = "14:03:11") -> str:
    return f"{day}T{clock}Z"


def gh_issue_list(issues: Sequence[GitHubIssue], *, pretty: bool = False) -> bytes:
    """`gh issue list --state all --json number,title,labels,state,createdAt,closedAt,
    milestone,url`: compact on one line when written to a file, indented on a terminal."""
    data = []
    for i in issues:
        data.append(
            {
                "closedAt": _iso(i.closed) if i.closed else None,
                "createdAt": _iso(i.created, "08:12:40"),
                "labels": [
                    {"id": f"LA_kwDO{n:04d}", "name": name, "description": "", "color": "ededed"}
                    for n, name in enumerate(i.labels)
                ],
                "milestone": {"number": 3, "title": i.milestone, "description": "", "dueOn": None}
                if i.milestone
                else None,
                "number": i.number,
                "state": "CLOSED" if i.closed else "OPEN",
                "title": i.title,
                "url": f"https://github.com/acme/orders/issues/{i.number}",
                **i.extra,
            }
        )
    text = json.dumps(data, indent=2) if pretty else json.dumps(data, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def rest_issues(issues: Sequence[GitHubIssue], pull_requests: Sequence[int] = ()) -> bytes:
    """GET /repos/acme/orders/issues?state=all: issues with the REST API's snake_case keys,
    pull requests among them (they carry `pull_request`)."""
    data = []
    for i in issues:
        item: dict[str, Any] = {
            "url": f"https://api.github.com/repos/acme/orders/issues/{i.number}",
            "repository_url": "https://api.github.com/repos/acme/orders",
            "html_url": f"https://github.com/acme/orders/issues/{i.number}",
            "id": 2000000 + i.number,
            "node_id": f"I_kwDO{i.number:05d}",
            "number": i.number,
            "title": i.title,
            "user": {"login": "fatima-h", "id": 51, "type": "User"},
            "labels": [
                {"id": 7, "name": name, "color": "ededed", "default": False} for name in i.labels
            ],
            "state": "closed" if i.closed else "open",
            "locked": False,
            "assignees": [],
            "milestone": {"title": i.milestone, "number": 3} if i.milestone else None,
            "comments": 2,
            "created_at": _iso(i.created, "08:12:40"),
            "updated_at": _iso(i.closed or i.created),
            "closed_at": _iso(i.closed) if i.closed else None,
            "author_association": "MEMBER",
            "body": "Steps:\n- one\n- two",
        }
        data.append(item)
    for number in pull_requests:
        data.append(
            {
                "number": number,
                "title": f"Merge branch {number}",
                "labels": [{"name": "estimate: 3h"}],
                "created_at": _iso("2026-08-01"),
                "closed_at": None,
                "pull_request": {"url": f"https://api.github.com/repos/acme/orders/pulls/{number}"},
            }
        )
    return json.dumps(data, indent=1).encode("utf-8")


def project_items(items: Sequence[dict[str, Any]]) -> bytes:
    """`gh project item-list 4 --owner acme --format json`: items with the project's fields
    as keys (here an `estimate` number field and a `done on` date field)."""
    out = []
    for n, it in enumerate(items):
        out.append(
            {
                "assignees": ["tomasz-n"],
                "content": {
                    "body": "",
                    "number": it["number"],
                    "repository": "acme/orders",
                    "title": it["title"],
                    "type": "Issue",
                    "url": f"https://github.com/acme/orders/issues/{it['number']}",
                },
                "id": f"PVTI_lADO{n:06d}",
                "labels": list(it.get("labels", [])),
                "repository": "https://github.com/acme/orders",
                "status": "Done",
                "title": it["title"],
                **({"estimate": it["estimate"]} if "estimate" in it else {}),
                **({"done on": it["done"]} if "done" in it else {}),
            }
        )
    return json.dumps({"items": out, "totalCount": len(out)}, indent=2).encode("utf-8")


def timesheet_csv(
    rows: Sequence[Sequence[object]], header: str = "date,person,task,hours"
) -> bytes:
    """A timesheet: the header, then one line per person, day and task."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header.split(","))
    for row in rows:
        w.writerow([str(c) for c in row])
    return out.getvalue().encode("utf-8")
