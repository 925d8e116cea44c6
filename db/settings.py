"""One typed settings object, read from the environment or `.streamlit/secrets.toml`.

Order of precedence for every value: environment variable `FLOORLIGHT_<NAME>`, then the
`[floorlight]` table (or top-level key) of `.streamlit/secrets.toml`, then the default here.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "floorlight.db"


def _secrets() -> dict:
    """The parsed secrets file, or an empty dict when it does not exist."""
    path = Path(os.environ.get("FLOORLIGHT_SECRETS_FILE", SECRETS_FILE))
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    # Values may sit at top level or under [floorlight]; the table wins.
    return {
        **{k: v for k, v in data.items() if not isinstance(v, dict)},
        **data.get("floorlight", {}),
    }


def _value(name: str, default: str | None, secrets: dict) -> str | None:
    env = os.environ.get(f"FLOORLIGHT_{name.upper()}")
    if env not in (None, ""):
        return env
    if name in secrets:
        return str(secrets[name])
    return default


@dataclass(frozen=True)
class Settings:
    """Everything configurable: database, time zone, refresh, login and thresholds."""

    db_url: str
    timezone: str = "Europe/London"
    refresh_seconds: int = 10
    cookie_key: str = ""
    cookie_name: str = "floorlight_auth"
    cookie_expiry_days: float = 1.0
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    # Failed logins one client address may make per lockout window, over all usernames.
    max_failed_logins_per_client: int = 20
    login_sleep_seconds: float = 0.7
    shrinkage_percent: float = 30.0
    # One agent handles several contacts at once on these channel kinds.
    concurrency: dict[str, float] = field(
        default_factory=lambda: {"voice": 1.0, "async": 3.0, "social": 3.0, "chat": 2.0}
    )
    alert_backlog: int = 25
    alert_oldest_wait_seconds: int = 1800
    cache_ttl_seconds: int = 10
    statement_timeout_ms: int = 30000
    # Floor alert rules (see components/alerts.py and floor_tiles.py for how they are used).
    spike_z: float = 3.0
    spike_min_count: int = 10
    spike_baseline_days: int = 14
    sl_warn_points: float = 5.0


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; call `get_settings.cache_clear()` in tests)."""
    secrets = _secrets()
    db_url = _value("db_url", None, secrets) or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    return Settings(
        db_url=db_url,
        timezone=_value("timezone", "Europe/London", secrets) or "Europe/London",
        refresh_seconds=int(_value("refresh_seconds", "10", secrets) or 10),
        cookie_key=_value("cookie_key", "", secrets) or "",
        cookie_name=_value("cookie_name", "floorlight_auth", secrets) or "floorlight_auth",
        cookie_expiry_days=float(_value("cookie_expiry_days", "1", secrets) or 1),
        max_failed_logins=int(_value("max_failed_logins", "5", secrets) or 5),
        lockout_minutes=int(_value("lockout_minutes", "15", secrets) or 15),
        max_failed_logins_per_client=int(
            _value("max_failed_logins_per_client", "20", secrets) or 20
        ),
        login_sleep_seconds=float(_value("login_sleep_seconds", "0.7", secrets) or 0.7),
        shrinkage_percent=float(_value("shrinkage_percent", "30", secrets) or 30),
        alert_backlog=int(_value("alert_backlog", "25", secrets) or 25),
        alert_oldest_wait_seconds=int(_value("alert_oldest_wait_seconds", "1800", secrets) or 1800),
        cache_ttl_seconds=int(_value("cache_ttl_seconds", "10", secrets) or 10),
        statement_timeout_ms=int(_value("statement_timeout_ms", "30000", secrets) or 30000),
        spike_z=float(_value("spike_z", "3", secrets) or 3),
        spike_min_count=int(_value("spike_min_count", "10", secrets) or 10),
        spike_baseline_days=int(_value("spike_baseline_days", "14", secrets) or 14),
        sl_warn_points=float(_value("sl_warn_points", "5", secrets) or 5),
    )
