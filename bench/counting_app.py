"""`streamlit run app.py` with every SQL statement the app process sends counted (bench only).

    python -m bench.counting_app COUNT_FILE [streamlit run options...]

A class-level SQLAlchemy event counts each cursor execution of every engine in the process
(executemany counts once); the total is written to COUNT_FILE twice a second, so a benchmark
can read how many statements the served app cost over a window. The app itself is unchanged.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

_count = 0
_lock = threading.Lock()


def _counted(*_args) -> None:
    global _count
    with _lock:
        _count += 1


def _write_every_half_second(path: Path) -> None:
    while True:
        path.write_text(str(_count))
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
