"""Where the survey's CPU goes: time and profile its three requests in one process.

Seeds an open campaign on a fresh SQLite file (or the PostgreSQL database at --db), then sends,
one after the other through the ASGI app (httpx.ASGITransport, no network), N survey page loads
(GET /survey/{token}), N JSON draft saves (POST /survey/{token}/draft) and N submits (form
POST). Prints the mean milliseconds per request of each kind and, with --profile, the functions
that took the most time. So that cProfile sees the endpoints, FastAPI's hand-off of sync
endpoints to a worker thread is replaced by a direct call for this measurement.

    .venv/bin/python bench/web_profile.py [--n 200] [--profile] [--sort tottime] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import fastapi.dependencies.utils
import fastapi.routing
import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bifocals.web import create_app
from web_load import INSTRUMENT, KEY, seed


async def _inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


async def measure(url: str, tokens: list[str], profile: bool, sort: str, top: int) -> None:
    fastapi.routing.run_in_threadpool = _inline  # type: ignore[assignment]
    fastapi.dependencies.utils.run_in_threadpool = _inline  # type: ignore[assignment]
    app = create_app(url)
    items = list(INSTRUMENT.item_ids)
    keys: dict[str, str] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await client.get(f"/survey/{tokens[0]}")  # warm up: the first load parses the instrument

        async def open_page(token: str) -> None:
            r = await client.get(f"/survey/{token}")
            found = KEY.search(r.text)
            assert r.status_code == 200 and found, r.status_code
            keys[token] = found.group(1)

        async def draft(token: str) -> None:
            rng = random.Random(token)
            answers = {i: str(rng.randint(1, 5)) for i in items[:40]}
            r = await client.post(f"/survey/{token}/draft", json={"answers": answers, "version": 0})
            assert r.status_code == 200, r.text

        async def submit(token: str) -> None:
            rng = random.Random(token)
            form = {f"a_{i}": str(rng.randint(1, 5)) for i in items}
            form.update({"a_Q1": "A comment.", "idempotency_key": keys[token]})
            form["action"] = "submit"
            r = await client.post(f"/survey/{token}", data=form)
            assert r.status_code == 200 and "your answers are in" in r.text, r.status_code

        steps: list[tuple[str, Callable[[str], Awaitable[None]]]] = [
            ("open", open_page),
            ("draft", draft),
            ("submit", submit),
        ]
        for name, step in steps:
            prof = cProfile.Profile() if profile else None
            t0 = time.perf_counter()
            if prof:
                prof.enable()
            for token in tokens:
                await step(token)
            if prof:
                prof.disable()
            ms = (time.perf_counter() - t0) * 1000 / len(tokens)
            print(f"{name}: {ms:.1f} ms per request ({len(tokens)} requests)", flush=True)
            if prof:
                pstats.Stats(prof).sort_stats(sort).print_stats(top)
    app.state.store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--db", default="", help="a database URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'profile.db'}"
        tokens = list(seed(url, args.n).values())
        asyncio.run(measure(url, tokens, args.profile, args.sort, args.top))


if __name__ == "__main__":
    main()
