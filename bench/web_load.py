"""Load benchmark of the rater survey: 500 concurrent raters against the real server.

Starts `bifocals serve` (uvicorn) as a subprocess on loopback, over a fresh SQLite file and a
fresh PostgreSQL database. Each rater opens their link, autosaves 2-3 drafts and submits once,
retrying on connection errors with the same idempotency key. Afterwards the rows are counted
against the acknowledged submissions (zero lost, zero duplicated). The second run of each
database SIGKILLs the server midway and restarts it: every acknowledged submission must be there.

    .venv/bin/python bench/web_load.py [--raters 500] [--db sqlite,postgres] [--no-kill]
                                       [--kill-only] [--workers N]

With --workers N the server runs N uvicorn worker processes; the SIGKILL goes to the whole
process group (the supervisor and every worker), as when the server's machine loses it.

Prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from bifocals.instruments import get_instrument
from bifocals.services.token_links import LinkKind, issue
from bifocals.store import open_store
from bifocals.store.app_tables import submissions
from bifocals.store.tables import participants, raters, responses

PG_SERVER = "postgresql+psycopg://root@127.0.0.1:5432/test"
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
BIN = Path(sys.executable).parent
INSTRUMENT = get_instrument("bifocals_open_360")


@dataclass
class Run:
    """What one scenario measured."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    acked: set[int] = field(default_factory=set)
    errors: int = 0
    retries: int = 0
    started: float = 0.0
    ended: float = 0.0

    def note(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'load.db'}"
    name = f"bench_web_{os.getpid()}_{random.randrange(10**6)}"
    engine = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_SERVER.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    engine = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def seed(url: str, n: int) -> dict[int, str]:
    """An open campaign with n raters (5 per participant); rater id -> invitation token."""
    tokens: dict[int, str] = {}
    with open_store(url) as store:
        cid = store.create_campaign("Load", INSTRUMENT.id, status="open")
        with store.engine.begin() as conn:
            for p in range((n + 4) // 5):
                pid = conn.execute(
                    sa.insert(participants)
                    .values(campaign_id=cid, code=f"P{p:04d}", name=f"Person {p}")
                    .returning(participants.c.id)
                ).scalar_one()
                for r in range(min(5, n - 5 * p)):
                    rid = conn.execute(
                        sa.insert(raters)
                        .values(
                            campaign_id=cid,
                            participant_id=pid,
                            code=f"R{r}",
                            group="self" if r == 0 else "peer",
                        )
                        .returning(raters.c.id)
                    ).scalar_one()
                    tokens[int(rid)] = issue(conn, LinkKind.INVITATION, int(rid), 30)
    return tokens


def start_server(url: str, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    cmd = [str(BIN / "bifocals"), "serve", "--db", url, "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


async def call(
    client: httpx.AsyncClient, run: Run, kind: str, method: str, url: str, **kw: object
) -> httpx.Response:
    """One request, retried on connection errors (the server may be restarting)."""
    deadline = time.monotonic() + 120
    while True:
        t0 = time.perf_counter()
        try:
            r = await client.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            run.retries += 1
            await asyncio.sleep(0.2)
            continue
        run.note(kind, time.perf_counter() - t0)
        return r


async def rater(client: httpx.AsyncClient, run: Run, rid: int, token: str) -> None:
    rng = random.Random(rid)
    await asyncio.sleep(rng.random() * 2)
    page = await call(client, run, "open", "GET", f"/survey/{token}")
    found = KEY.search(page.text)
    if page.status_code != 200 or not found:
        run.errors += 1
        return
    key = found.group(1)
    answers: dict[str, str] = {}
    items = list(INSTRUMENT.item_ids)
    version = 0
    for step in range(rng.choice((2, 3))):
        for item in items[step * 20 : step * 20 + 20]:
            answers[item] = str(rng.randint(1, 5))
        r = await call(
            client,
            run,
            "draft",
            "POST",
            f"/survey/{token}/draft",
            json={"answers": answers, "version": version},
        )
        if r.status_code in (200, 409):
            version = int(r.json()["version"])
        else:
            run.errors += 1
        await asyncio.sleep(rng.random() * 0.5)
    form = {f"a_{i}": answers.get(i, "NA") for i in items}
    form.update({"a_Q1": f"Comment from rater {rid}.", "idempotency_key": key, "action": "submit"})
    r = await call(client, run, "submit", "POST", f"/survey/{token}", data=form)
    if r.status_code == 200 and "your answers are in" in r.text:
        run.acked.add(rid)
    else:
        run.errors += 1


async def load(base: str, tokens: dict[int, str], run: Run, on_half: object = None) -> None:
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        run.started = time.perf_counter()
        tasks = [asyncio.create_task(rater(client, run, rid, t)) for rid, t in tokens.items()]
        if callable(on_half):
            while len(run.acked) < len(tokens) // 2:
                await asyncio.sleep(0.01)
            await asyncio.to_thread(on_half)
        await asyncio.gather(*tasks)
        run.ended = time.perf_counter()


def check(url: str, run: Run, n: int) -> tuple[int, int, int]:
    """(lost, duplicated, submissions rows) comparing the database with the acknowledgements."""
    per_rater = len(INSTRUMENT.item_ids) + 1
    with open_store(url) as store, store.engine.connect() as conn:
        stored = {int(r) for r in conn.execute(sa.select(submissions.c.rater_id)).scalars()}
        rows = conn.execute(sa.select(sa.func.count()).select_from(submissions)).scalar_one()
        counts = conn.execute(
            sa.select(responses.c.rater_id, sa.func.count()).group_by(responses.c.rater_id)
        ).all()
    lost = len(run.acked - stored)
    duplicated = int(rows) - len(stored) + sum(1 for _, c in counts if c != per_rater)
    return lost, duplicated, int(rows)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def scenario(kind: str, n: int, kill: bool, workers: int = 1) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(kind, Path(tmp))
        try:
            tokens = seed(url, n)
            port = free_port()
            procs = [start_server(url, port, workers)]

            def kill_and_restart() -> None:
                # The server runs in its own session: kill it and any worker processes at once.
                os.killpg(procs[-1].pid, signal.SIGKILL)
                procs[-1].wait()
                procs.append(start_server(url, port, workers))

            run = Run()
            asyncio.run(
                load(f"http://127.0.0.1:{port}", tokens, run, kill_and_restart if kill else None)
            )
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    p.wait(timeout=30)
            lost, dup, rows = check(url, run, n)
        finally:
            drop_database(url)
    wall = run.ended - run.started
    return {
        "db": kind,
        "kill": kill,
        "workers": workers,
        "raters": n,
        "acked": len(run.acked),
        "rows": rows,
        "lost": lost,
        "duplicated": dup,
        "errors": run.errors,
        "retries": run.retries,
        "wall": wall,
        "rate": len(run.acked) / wall,
        "lat": {k: (pct(v, 50), pct(v, 95), pct(v, 99)) for k, v in run.latencies.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raters", type=int, default=500)
    ap.add_argument("--db", default="sqlite,postgres")
    ap.add_argument("--no-kill", action="store_true", help="only the runs without SIGKILL")
    ap.add_argument("--kill-only", action="store_true", help="only the runs with SIGKILL")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    args = ap.parse_args()
    kills = (False,) if args.no_kill else (True,) if args.kill_only else (False, True)
    results = []
    for kind in args.db.split(","):
        for kill in kills:
            results.append(scenario(kind, args.raters, kill, args.workers))
            print(f"load average after {kind} kill={kill}: {os.getloadavg()}", file=sys.stderr)
    print(
        "| database | SIGKILL midway | workers | raters | acknowledged | submission rows | lost | "
        "duplicated | failed | conn. retries | wall s | submissions/s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['db']} | {'yes' if r['kill'] else 'no'} | {r['workers']} | {r['raters']} | "
            f"{r['acked']} | "
            f"{r['rows']} | {r['lost']} | {r['duplicated']} | {r['errors']} | {r['retries']} | "
            f"{r['wall']:.1f} | {r['rate']:.1f} |"
        )
    print()
    print("| database | SIGKILL midway | request | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---:|---:|---:|")
    for r in results:
        lat = r["lat"]
        assert isinstance(lat, dict)
        for kind in ("open", "draft", "submit"):
            if kind in lat:
                p50, p95, p99 = lat[kind]
                print(
                    f"| {r['db']} | {'yes' if r['kill'] else 'no'} | {kind} | {p50:.0f} | "
                    f"{p95:.0f} | {p99:.0f} |"
                )
    base = {r["db"]: r["rate"] for r in results if not r["kill"]}
    if "sqlite" in base and "postgres" in base:
        print(
            f"\nPostgreSQL / SQLite sustained submissions/s: "
            f"{float(base['postgres']) / float(base['sqlite']):.2f}"
        )


if __name__ == "__main__":
    main()
