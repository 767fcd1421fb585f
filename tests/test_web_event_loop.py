"""A request that waits for the SQLite write lock must not stop the server answering others.

The survey submit, the readiness submit, the uploads and the CSRF check run their database work in
the thread pool; were it on the event loop, one rater waiting for the lock would freeze every page.
Real SQLite file, real uvicorn server, real HTTP.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from support.readiness import ALL4, CSRF, KEY, issue, seed
from support.web import login, serve, web_client


def test_a_submit_waiting_for_the_write_lock_does_not_block_other_pages(tmp_path: Path) -> None:
    db = tmp_path / "loop.db"
    url = f"sqlite:///{db}"
    seed(url)
    with web_client(url) as coach:
        links = issue(coach, login(coach, "coach@example.org"), "ops", 1)
    with serve(url) as base, httpx.Client(base_url=base, timeout=30) as rater:
        page = rater.get(links[0])
        assert page.status_code == 200
        form = {f"adkar_{k}": v for k, v in ALL4.items()}
        form["idempotency_key"] = KEY.search(page.text).group(1)  # type: ignore[union-attr]
        form["csrf_token"] = CSRF.search(page.text).group(1)  # type: ignore[union-attr]

        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # someone else is writing
        result: dict[str, int] = {}

        def submit() -> None:
            result["status"] = rater.post(links[0], data=form).status_code

        sender = threading.Thread(target=submit)
        try:
            sender.start()
            time.sleep(0.5)  # the submit is now waiting for the lock (busy timeout 10 s)
            started = time.monotonic()
            other = httpx.get(f"{base}/login", timeout=5)
            waited = time.monotonic() - started
            assert other.status_code == 200 and re.search("Sign in", other.text)
            assert sender.is_alive(), "the submit should still be waiting for the lock"
            assert waited < 5
        finally:
            holder.execute("ROLLBACK")
            holder.close()
            sender.join(timeout=30)
        assert result == {"status": 200}  # and once the lock is free, the answer is stored
