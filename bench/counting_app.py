"""`streamlit run app.py` with every SQL statement the app process sends counted (bench only).

    python -m bench.counting_app COUNT_FILE [streamlit run options...]

A class-level SQLAlchemy event counts each cursor execution of every engine in the process
(executemany counts once), split into login checks (statements on the `users` table: each
refresh tick of every session checks its login, against one row per user and refresh window:
components/session_check.py) and the rest (the figures). Both totals are
written to COUNT_FILE as JSON twice a second, so a benchmark can read how many statements the
served app cost over a window. The app itself is unchanged.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

_counts = {"figures": 0, "login checks": 0}
_lock = threading.Lock()
_USERS_TABLE = re.compile(r"\b(FROM|UPDATE)\s+users\b", re.IGNORECASE)


def _counted(_conn, _cursor, statement: str, *_args) -> None:
    kind = "login checks" if _USERS_TABLE.search(statement) else "figures"
    with _lock:
        _counts[kind] += 1


def _write_every_half_second(path: Path) -> None:
    while True:
        with _lock:
            text = json.dumps(_counts)
        path.write_text(text)
        threading.Event().wait(0.5)


def main() -> int:
    count_file, options = Path(sys.argv[1]), sys.argv[2:]
    event.listen(Engine, "before_cursor_execute", _counted)
    threading.Thread(target=_write_every_half_second, args=(count_file,), daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", "app.py", *options]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
