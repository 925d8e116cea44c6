"""Cached readers at the page boundary: one database query per TTL per filter set, shared by all
viewers. The engine comes from `app_engine()` inside each reader, never as an argument."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from components.db import app_engine
from db.settings import get_settings
from queries import volume

TTL = get_settings().cache_ttl_seconds


@st.cache_data(ttl=TTL, show_spinner=False)
def offered_by_channel(start: datetime, end: datetime) -> pd.DataFrame:
    """queries.volume.offered_by_channel, cached."""
    return volume.offered_by_channel(engine=app_engine(), start=start, end=end)
