"""Ctrl-C and SIGTERM as a stop request, for the long-running commands (simulator, refresher):
the unit of work in hand finishes and commits, then the loop returns."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable


def stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """Turn Ctrl-C and SIGTERM into `stop.set()` so a tick is never cut in half.

    Signal handlers can only be installed from the main thread; elsewhere `stop` is the way.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda _signum, _frame: stop.set())

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
