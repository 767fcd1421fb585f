"""The background ticker of `bifocals serve`: does the schedule's due work (services.schedule)
at start-up and then every few seconds, in a daemon thread, until stopped.

Every tick is safe to run in several processes at once, on one machine or many (see
services.schedule: campaigns and queued messages are claimed with row locks), so each web
worker of each instance runs its own ticker. A failing tick is logged and the next one tries
again: a database that is briefly locked or a mail server that is down must not stop the
schedule.
"""

from __future__ import annotations

import logging
import threading

from bifocals.services.schedule import tick
from bifocals.services.settings import WebSettings
from bifocals.store import Store

log = logging.getLogger("bifocals.ticker")


class Ticker:
    """Runs `tick` every `settings.tick_seconds` in a daemon thread."""

    def __init__(self, store: Store, settings: WebSettings, base: str | None) -> None:
        self.store = store
        self.settings = settings
        self.base = base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bifocals-ticker", daemon=True)

    def start(self) -> None:
        """Start ticking (the first tick happens at once)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the tick in progress, waiting for it."""
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = tick(self.store, self.settings, self.base)
                if report.summary() != "nothing was due":
                    log.warning("schedule: %s", report.summary())
            except Exception:  # a broken tick must not end the schedule
                log.exception("schedule tick failed; trying again at the next one")
            self._stop.wait(self.settings.tick_seconds)
