"""Plain-text cases of the read-replica components (merged into test_plain_text's walk)."""

from __future__ import annotations

REPLICA_NO_DATA_TEXT = {
    "db.read_router": "no text: the engines and the read router",
    "db.read_engine": "no text: an engine",
}

__all__ = ["REPLICA_NO_DATA_TEXT"]
