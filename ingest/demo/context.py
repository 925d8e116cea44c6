"""The fixed inputs of one demo generation run, shared by every generator of the package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ingest.demo.roster import DemoAgent

# `interactions.source` of every row the demo (and the live simulator) writes.
SOURCE = "demo"


@dataclass(frozen=True)
class GenerationContext:
    """Fixed inputs of one generation run."""

    start: datetime
    now: datetime
    tz: ZoneInfo
    topic_names: tuple[str, ...]
    agents: tuple[DemoAgent, ...]
    id_base: int = 1
    customer_id_base: int = 1
    handle_id_base: int = 1
