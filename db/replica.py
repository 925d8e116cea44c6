"""Which engine a page read uses when a PostgreSQL hot standby serves the reads.

`ReadRouter.engine()` answers, per read:
- no standby configured → the primary;
- a write committed through this process's primary engine that the standby has not replayed
  yet → the primary (read-your-writes, below);
- the standby did not answer its last probe, less than `retry_seconds` ago → the primary (a
  replica outage falls back to the primary; the standby is tried again after that);
- otherwise → the standby.

Read-your-writes: `track_writes(primary, router)` hooks the primary engine. A transaction that
changed something (PostgreSQL gave it a transaction id) records, once committed, the primary's
WAL insert position (`pg_current_wal_insert_lsn()`), which is past its commit record even with
`synchronous_commit = off`, when the commit may still sit in the WAL buffers and the write
position (`pg_current_wal_lsn()`) would be short of it. Until the
standby's `pg_last_wal_replay_lsn()` reaches the highest position recorded, every read of this
process goes to the primary. There is no time bound after which a lagging standby is read
again: a standby far behind costs primary load, never a save that seems lost. The pin is per
process, not per user, because Streamlit's data cache is per process: a read of another session
refilling a cleared cache from the standby would otherwise hand the writer stale figures.

Everything else (the simulator, imports, other app processes) reaches the standby with its lag:
what the floor shows is delayed by the lag, never lost — the standby replays every commit in
order. Logins and form pages keep reading the primary (components/db.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

_WROTE = "floorlight_wrote"


def lsn_value(lsn: str) -> int:
    """A PostgreSQL LSN ('16/B374D848') as one comparable integer."""
    high, low = lsn.split("/")
    return (int(high, 16) << 32) | int(low, 16)


class ReadRouter:
    """Chooses the primary or the standby for each read; thread-safe (one per app process)."""

    def __init__(
        self,
        primary: Engine,
        standby: Engine | None,
        *,
        retry_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.standby = standby
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._pending_lsn: int | None = None
        self._standby_down_since: float | None = None

    def note_write(self, lsn: str) -> None:
        """A write committed on the primary at `lsn`: read the primary until it is replayed."""
        value = lsn_value(lsn)
        with self._lock:
            if self._pending_lsn is None or value > self._pending_lsn:
                self._pending_lsn = value

    def note_failure(self) -> bool:
        """A read failed: True when the standby is what failed, so reads now use the primary.

        The standby is probed at once; when it answers, the failure was the primary's.
        """
        if self.standby is None or self.standby_down:
            return False
        return self._replayed_lsn() is None

    @property
    def standby_down(self) -> bool:
        """True while reads fall back to the primary because the standby did not answer."""
        with self._lock:
            return self._standby_down_since is not None

    def engine(self) -> Engine:
        """The engine for the next read (see the module docstring)."""
        if self.standby is None:
            return self.primary
        with self._lock:
            down_since = self._standby_down_since
            pending = self._pending_lsn
        if down_since is not None and self._clock() - down_since < self.retry_seconds:
            return self.primary
        if down_since is None and pending is None:
            return self.standby
        replayed = self._replayed_lsn()
        if replayed is None:
            return self.primary
        with self._lock:
            self._standby_down_since = None
            if self._pending_lsn is not None and replayed >= self._pending_lsn:
                self._pending_lsn = None
            caught_up = self._pending_lsn is None
        return self.standby if caught_up else self.primary

    def _replayed_lsn(self) -> int | None:
        """The standby's replay position, or None (and the standby marked down) if unreachable."""
        assert self.standby is not None
        try:
            with self.standby.connect() as conn:
                lsn = conn.execute(text("SELECT pg_last_wal_replay_lsn()::text")).scalar_one()
        except DBAPIError as exc:
            log.warning("read replica unreachable, reading the primary: %s", exc.orig or exc)
            with self._lock:
                self._standby_down_since = self._clock()
            self.standby.dispose()
            return None
        if lsn is None:
            # Not a standby (promoted, or pointed at a primary): it has every commit there is.
            return 1 << 64
        return lsn_value(lsn)


def track_writes(primary: Engine, router: ReadRouter) -> None:
    """Tell `router` the WAL position after each committed transaction on `primary` that wrote."""

    @event.listens_for(primary, "commit")
    def _mark_writing_transaction(conn) -> None:  # pragma: no cover - driver hook
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
            if cursor.fetchone()[0]:
                conn.info[_WROTE] = True
        finally:
            cursor.close()

    @event.listens_for(primary, "checkin")
    def _record_commit_position(dbapi_connection, record) -> None:  # pragma: no cover - hook
        # After the commit (the connection is back in the pool), so the position covers it.
        if dbapi_connection is None or not record.info.pop(_WROTE, False):
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            router.note_write(cursor.fetchone()[0])
        finally:
            cursor.close()
            dbapi_connection.rollback()
