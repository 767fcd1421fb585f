"""Web capacity, open loop: raters offered at fixed arrival rates to one `bifocals serve`.

The server (`bifocals serve`, one uvicorn process, over a fresh SQLite file) is pinned to one
core and the load generator, a separate Python process (asyncio + httpx), to the other, with
os.sched_setaffinity. For each rate (raters per second) the generator schedules the arrivals
by the clock: rater i starts at t0 + i / rate whether or not earlier raters got their answers
(open loop), so a server that falls behind builds a queue instead of slowing the offered load.
Each rater opens the survey page, saves a draft of 40 answers (JSON autosave) and submits all
56 answers and a comment: three requests, one after the other. The page's latency is counted
from the rater's scheduled arrival (time spent waiting in the generator or the server's queue
included), the draft's and submit's from the moment the previous answer came back.

In the same run, before the open-loop rates, the server's own CPU time per request (from
/proc/PID/stat) is measured one request at a time for each kind, and compared with two bare
baselines on the same core: a bare Starlette route (async, a short HTML answer, same uvicorn)
and a bare SQLite insert of 56 answers (Python's sqlite3, WAL, synchronous=NORMAL, one
transaction per rater, as the store configures SQLite).

    .venv/bin/python bench/web_open_loop.py [--rates 10,25,50,100] [--seconds 6]
                                             [--serial 300]

Prints markdown tables (machine, load average, then the two tables).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

sys.path.insert(0, str(Path(__file__).parent))
from web_load import INSTRUMENT, KEY, free_port, seed

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve()
KINDS = ("page", "draft", "submit")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ITEMS = list(INSTRUMENT.item_ids)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads, living or ended)."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / CLOCK_TICKS  # fields 14 and 15


def pin(core: int) -> None:
    os.sched_setaffinity(0, {core})


def start(cmd: list[str], core: int, port: int) -> subprocess.Popen[bytes]:
    """Start a server pinned to `core` and wait until it accepts connections."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: pin(core),  # this process has started no thread yet
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{cmd[0]} did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def draft_of(token: str) -> dict[str, str]:
    rng = random.Random(token)
    return {i: str(rng.randint(1, 5)) for i in ITEMS[:40]}


def submit_of(token: str, key: str) -> dict[str, str]:
    rng = random.Random(token)
    form = {f"a_{i}": str(rng.randint(1, 5)) for i in ITEMS}
    form.update({"a_Q1": "Shares the plan early.", "idempotency_key": key, "action": "submit"})
    return form


# --- the bare baselines ---------------------------------------------------------------------


def bare_server(port: int) -> None:
    """A bare Starlette route under the same uvicorn as `bifocals serve` (run as a child)."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Route

    async def bare(_request: Request) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>bare</title><p>bare</p>")

    app = Starlette(routes=[Route("/bare", bare)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)


def floor_server(port: int, url: str, page_bytes: int) -> None:
    """The floor under bifocals' own code (run as a child): the same app, middleware and
    uvicorn as `bifocals serve`, with three routes matched first that do a survey request's
    framework work and nothing else: a sync GET answering an HTML body as long as the survey
    page, a sync JSON POST, a sync form POST (the form parsed as the survey parses it)."""
    import uvicorn

    from bifocals.web import create_app

    # FastAPI reads these routes' annotations (strings here) from the module's globals.
    app = create_app(url)
    body = "<!doctype html>" + "x" * max(0, page_bytes - 15)
    floor = APIRouter()

    @floor.get("/floor/page/{token}")
    def page(token: str, saved: int = 0) -> HTMLResponse:
        return HTMLResponse(body)

    @floor.post("/floor/draft/{token}")
    async def draft(request: Request, token: str) -> JSONResponse:
        payload = json.loads(await request.body())
        return JSONResponse({"version": 1, "answered": len(payload["answers"]), "total": 56})

    @floor.post("/floor/submit/{token}")
    async def submit(request: Request, token: str) -> HTMLResponse:
        form = await request.form(max_fields=2000)
        return HTMLResponse(f"<!doctype html><p>your answers are in ({len(form)})</p>")

    first = len(app.router.routes)
    app.include_router(floor)
    added = app.router.routes[first:]
    del app.router.routes[first:]
    app.router.routes[0:0] = added
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)


def floor_times(pid: int, base: str, tokens: list[str]) -> dict[str, tuple[float, float]]:
    """Each kind's server CPU and wall ms per request on the floor server's routes."""

    def page(token: str) -> Callable[[httpx.Client], None]:
        return lambda client: _ok(client.get(f"/floor/page/{token}"))

    def draft(token: str) -> Callable[[httpx.Client], None]:
        body = {"answers": draft_of(token), "version": 0}
        return lambda client: _ok(client.post(f"/floor/draft/{token}", json=body))

    def submit(token: str) -> Callable[[httpx.Client], None]:
        form = submit_of(token, "k" * 32)
        return lambda client: _ok(client.post(f"/floor/submit/{token}", data=form))

    return {
        kind: one_at_a_time(pid, base, [make(t) for t in tokens])
        for kind, make in (("page", page), ("draft", draft), ("submit", submit))
    }


def _ok(response: httpx.Response) -> None:
    assert response.status_code == 200, response.status_code


def bare_insert(folder: Path, n: int) -> tuple[float, float]:
    """(wall ms, CPU ms) per transaction inserting one rater's 56 answers into SQLite."""
    con = sqlite3.connect(folder / "bare.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(
        "CREATE TABLE responses (id INTEGER PRIMARY KEY, rater_id INTEGER NOT NULL, "
        "item_id TEXT NOT NULL, value REAL, text TEXT, UNIQUE (rater_id, item_id))"
    )
    sql = "INSERT INTO responses (rater_id, item_id, value, text) VALUES (?, ?, ?, NULL)"
    rows = [[(r, i, float(1 + k % 5)) for k, i in enumerate(ITEMS)] for r in range(n)]
    t0, c0 = time.perf_counter(), time.process_time()
    for batch in rows:
        con.execute("BEGIN")
        con.executemany(sql, batch)
        con.execute("COMMIT")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    con.close()
    return wall * 1000 / n, cpu * 1000 / n


def _page_bytes(url: str, token: str) -> int:
    """The size of a survey page, rendered in-process (the floor answers as many bytes)."""
    from fastapi.testclient import TestClient

    from bifocals.web import create_app

    with TestClient(create_app(url)) as local:
        return len(local.get(f"/survey/{token}").content)


def one_at_a_time(
    pid: int, base: str, work: list[Callable[[httpx.Client], None]]
) -> tuple[float, float]:
    """(server CPU ms, wall ms) per request, sending the requests one after the other."""
    with httpx.Client(base_url=base, timeout=60) as client:
        work[0](client)  # warm the connection
        c0, t0 = cpu_seconds(pid), time.perf_counter()
        for step in work[1:]:
            step(client)
        wall, cpu = time.perf_counter() - t0, cpu_seconds(pid) - c0
    n = len(work) - 1
    return cpu * 1000 / n, wall * 1000 / n


def server_times(pid: int, base: str, tokens: list[str]) -> dict[str, tuple[float, float]]:
    """Each kind's server CPU and wall ms per request, for the raters in `tokens`."""
    keys: dict[str, str] = {}

    def page(token: str) -> Callable[[httpx.Client], None]:
        def run(client: httpx.Client) -> None:
            r = client.get(f"/survey/{token}")
            found = KEY.search(r.text)
            assert r.status_code == 200 and found, r.status_code
            keys[token] = found.group(1)

        return run

    def draft(token: str) -> Callable[[httpx.Client], None]:
        def run(client: httpx.Client) -> None:
            body = {"answers": draft_of(token), "version": 0}
            r = client.post(f"/survey/{token}/draft", json=body)
            assert r.status_code == 200, r.text

        return run

    def submit(token: str) -> Callable[[httpx.Client], None]:
        def run(client: httpx.Client) -> None:
            r = client.post(f"/survey/{token}", data=submit_of(token, keys[token]))
            assert r.status_code == 200 and "your answers are in" in r.text, r.status_code

        return run

    return {
        kind: one_at_a_time(pid, base, [make(t) for t in tokens])
        for kind, make in (("page", page), ("draft", draft), ("submit", submit))
    }


# --- the open-loop load generator (a child process on its own core) ---------------------------


KEY_BYTES = re.compile(KEY.pattern.encode())


async def http(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    method: str,
    path: str,
    body: bytes = b"",
    content_type: str = "",
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on an open keep-alive connection: (status, body). A few dozen
    lines instead of an HTTP library, so that the generator costs the server's core nothing
    and its own core little."""
    head = f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n"
    if body:
        head += f"content-type: {content_type}\r\ncontent-length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    status = int((await reader.readline()).split()[1])
    length, chunked = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    parts = []
    while size := int((await reader.readline()).split(b";")[0], 16):
        parts.append(await reader.readexactly(size))
        await reader.readline()
    await reader.readline()
    return status, b"".join(parts)


async def offer(port: int, tokens: list[str], rate: float) -> dict[str, Any]:
    """Start one rater every 1/rate seconds, each on a connection of its own (kept alive for
    its three requests, as a browser would); what each request took and what went wrong."""
    loop = asyncio.get_running_loop()
    latencies: dict[str, list[float]] = {k: [] for k in KINDS}
    lags: list[float] = []
    errors: Counter[str] = Counter()
    finished: list[float] = []
    t0 = loop.time() + 0.3
    form_type = "application/x-www-form-urlencoded"

    async def rater(i: int, token: str) -> None:
        due = t0 + i / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        lags.append(loop.time() - due)
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            status, page = await http(reader, writer, "GET", f"/survey/{token}")
            t1 = loop.time()
            found = KEY_BYTES.search(page)
            if status != 200 or not found:
                errors[f"page {status}"] += 1
                return
            latencies["page"].append(t1 - due)
            draft = json.dumps({"answers": draft_of(token), "version": 0}).encode()
            status, _ = await http(
                reader, writer, "POST", f"/survey/{token}/draft", draft, "application/json"
            )
            t2 = loop.time()
            if status != 200:
                errors[f"draft {status}"] += 1
                return
            latencies["draft"].append(t2 - t1)
            form = urlencode(submit_of(token, found.group(1).decode())).encode()
            status, done = await http(reader, writer, "POST", f"/survey/{token}", form, form_type)
            t3 = loop.time()
            if status != 200 or b"your answers are in" not in done:
                errors[f"submit {status}"] += 1
                return
            latencies["submit"].append(t3 - t2)
            finished.append(t3)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
            errors[type(exc).__name__] += 1
        finally:
            if writer is not None:
                writer.close()

    c0 = time.process_time()
    await asyncio.gather(*(rater(i, t) for i, t in enumerate(tokens)))
    cpu = time.process_time() - c0
    span = (max(finished) - t0) if finished else float("nan")
    return {
        "latencies": latencies,
        "lags": lags,
        "errors": dict(errors),
        "done": len(finished),
        "span": span,
        "generator_cpu": cpu,
    }


def generate(args: argparse.Namespace) -> None:
    """The child: pinned to its core, offers the raters in --tokens, writes JSON to --out."""
    pin(args.core)
    tokens = json.loads(Path(args.tokens).read_text())
    result = asyncio.run(offer(args.port, tokens, args.rate))
    Path(args.out).write_text(json.dumps(result))


def run_rate(
    port: int, pid: int, core: int, tokens: list[str], rate: float, folder: Path
) -> dict[str, Any]:
    tokens_file, out = folder / f"tokens-{rate}.json", folder / f"out-{rate}.json"
    tokens_file.write_text(json.dumps(tokens))
    cmd = [sys.executable, str(HERE), "--generate", "--port", str(port), "--rate", str(rate)]
    cmd += ["--tokens", str(tokens_file), "--out", str(out), "--core", str(core)]
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    subprocess.run(cmd, check=True)
    wall, cpu = time.perf_counter() - t0, cpu_seconds(pid) - c0
    result: dict[str, Any] = json.loads(out.read_text())
    result["server_cpu"] = cpu
    result["wall"] = wall
    return result


# --- the report ---------------------------------------------------------------------------------


def pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores, {model}, Python {sys.version.split()[0]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="10,25,50,100", help="raters per second, comma-separated")
    ap.add_argument("--seconds", type=float, default=6.0, help="how long each rate is offered")
    ap.add_argument("--serial", type=int, default=300, help="requests per kind, one at a time")
    ap.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--bare-server", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--floor-server", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--db", default="", help=argparse.SUPPRESS)
    ap.add_argument("--page-bytes", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--rate", type=float, default=0.0, help=argparse.SUPPRESS)
    ap.add_argument("--tokens", default="", help=argparse.SUPPRESS)
    ap.add_argument("--out", default="", help=argparse.SUPPRESS)
    ap.add_argument("--core", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:
        generate(args)
        return
    if args.bare_server:
        bare_server(args.bare_server)
        return
    if args.floor_server:
        floor_server(args.floor_server, args.db, args.page_bytes)
        return

    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        raise SystemExit("needs two cores: one for the server, one for the load generator")
    load_core, server_core = cores[0], cores[1]
    pin(load_core)
    rates = [float(r) for r in args.rates.split(",")]
    counts = [round(r * args.seconds) for r in rates]
    print(f"Machine: {machine()}", flush=True)
    print(f"Load average before: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'open_loop.db'}"
        tokens = list(seed(url, args.serial + 1 + sum(counts)).values())

        # Baselines and per-request server time, one request at a time, same core.
        bare_port = free_port()
        bare = start(
            [sys.executable, str(HERE), "--bare-server", str(bare_port)], server_core, bare_port
        )
        try:

            def hit(client: httpx.Client) -> None:
                assert client.get("/bare").status_code == 200

            bare_cpu, bare_wall = one_at_a_time(
                bare.pid, f"http://127.0.0.1:{bare_port}", [hit] * (10 * args.serial + 1)
            )
        finally:
            stop(bare)
        pin(server_core)
        insert_wall, insert_cpu = bare_insert(folder, args.serial)
        pin(load_core)

        # The framework's floor: the same app's routes doing none of bifocals' work.
        page_bytes = _page_bytes(url, tokens[-1])
        floor_port = free_port()
        floor = start(
            [sys.executable, str(HERE), "--floor-server", str(floor_port), "--db", url,
             "--page-bytes", str(page_bytes)],
            server_core,
            floor_port,
        )  # fmt: skip
        try:
            floors = floor_times(floor.pid, f"http://127.0.0.1:{floor_port}", tokens[:301])
        finally:
            stop(floor)

        port = free_port()
        server = start(
            [str(BIN / "bifocals"), "serve", "--db", url, "--port", str(port), "--no-scheduler"],
            server_core,
            port,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            times = server_times(server.pid, base, tokens[: args.serial + 1])
            rest = tokens[args.serial + 1 :]
            results = []
            for rate, n in zip(rates, counts, strict=True):
                batch, rest = rest[:n], rest[n:]
                results.append(run_rate(port, server.pid, load_core, batch, rate, folder))
                print(f"rate {rate:g}/s done; load average {os.getloadavg()}", flush=True)
                time.sleep(1.0)
        finally:
            stop(server)
    print(f"Load average after: {os.getloadavg()}\n")

    print("Per request, one at a time (server CPU from /proc; wall includes the client):\n")
    print("| request | server CPU ms | wall ms | baseline | ratio (CPU) |")
    print("|---|---:|---:|---|---:|")
    print(f"| bare Starlette route | {bare_cpu:.2f} | {bare_wall:.2f} | | |")
    print(f"| bare SQLite insert of {len(ITEMS)} answers (in-process) | {insert_cpu:.2f} | "
          f"{insert_wall:.2f} | | |")  # fmt: skip
    for kind in KINDS:
        cpu, wall = times[kind]
        if kind == "submit":
            ref, name = bare_cpu + insert_cpu, "route + insert"
        else:
            ref, name = bare_cpu, "route"
        print(f"| {kind} | {cpu:.2f} | {wall:.2f} | {name} {ref:.2f} | {cpu / ref:.1f}x |")
    print(f"\nThe framework's floor (the same app, a route doing only the request's framework "
          f"work; the survey page's {page_bytes:,} bytes):\n")  # fmt: skip
    print("| request | floor CPU ms | request CPU ms | floor / bare | request / floor |")
    print("|---|---:|---:|---:|---:|")
    for kind in KINDS:
        floor_cpu, cpu = floors[kind][0], times[kind][0]
        ref = bare_cpu + insert_cpu if kind == "submit" else bare_cpu
        print(f"| {kind} | {floor_cpu:.2f} | {cpu:.2f} | {floor_cpu / ref:.1f}x | "
              f"{cpu / floor_cpu:.1f}x |")  # fmt: skip

    print(f"\nOpen loop, {args.seconds:g} s per rate; each rater makes 3 requests:\n")
    head = " | ".join(f"{k} p50 | {k} p99" for k in KINDS)
    print(f"| raters/s | raters | completed | errors | {head} | server core busy | "
          "arrivals late p99 ms | generator CPU ms/request |")  # fmt: skip
    print("|" + "---:|" * (4 + 2 * len(KINDS)) + "---:|---:|---:|")
    for rate, r in zip(rates, results, strict=True):
        lat = r["latencies"]
        cells = " | ".join(f"{pct(lat[k], 50):.0f} | {pct(lat[k], 99):.0f}" for k in KINDS)
        # The server is idle while the generator starts: its CPU over the offered span.
        busy = r["server_cpu"] / r["span"] * 100
        requests = max(1, sum(len(v) for v in lat.values()))
        errors = sum(r["errors"].values())
        print(
            f"| {rate:g} | {len(r['lags'])} | {r['done']} | {errors} | {cells} | {busy:.0f} % | "
            f"{pct(r['lags'], 99):.0f} | {r['generator_cpu'] * 1000 / requests:.2f} |"
        )
        if r["errors"]:
            print(f"<!-- errors at {rate:g}/s: {r['errors']} -->")


if __name__ == "__main__":
    main()
