"""One typed settings object, read from the environment or `.streamlit/secrets.toml`.

Every setting is declared once, with its default, on `Settings`; pydantic-settings reads and
validates them all the same way. Order of precedence for every value: environment variable
`FLOORLIGHT_<NAME>` (an empty one counts as unset), then the `[floorlight]` table (or a
top-level key) of `.streamlit/secrets.toml`, then the default here. Structured values take
JSON in the environment (`FLOORLIGHT_CONCURRENCY='{"chat": 3}'`) or a table in the secrets
file (`[floorlight.concurrency]`), merged key by key in the same order of precedence; channel
kinds given nowhere keep their default.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "floorlight.db"
# Agents handle several contacts at once on these channel kinds (1 for a kind not listed).
DEFAULT_CONCURRENCY: dict[str, float] = {"voice": 1.0, "async": 3.0, "social": 3.0, "chat": 2.0}


def _secrets() -> dict[str, Any]:
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


class _SecretsFile(PydanticBaseSettingsSource):
    """Settings from `.streamlit/secrets.toml` (FLOORLIGHT_SECRETS_FILE moves it)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return _secrets().get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        values = _secrets()
        return {name: values[name] for name in self.settings_cls.model_fields if name in values}


class Settings(BaseSettings):
    """Everything configurable: database, time zone, refresh, login and thresholds."""

    model_config = SettingsConfigDict(env_prefix="FLOORLIGHT_", env_ignore_empty=True, frozen=True)

    db_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    # Optional PostgreSQL hot standby for the pages' reads; writes always go to db_url
    # (db/replica.py: read-your-writes, fallback to the primary when it is unreachable).
    db_read_url: str | None = None
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
    concurrency: dict[str, float] = DEFAULT_CONCURRENCY
    alert_backlog: int = 25
    alert_oldest_wait_seconds: int = 1800
    cache_ttl_seconds: int = 10
    statement_timeout_ms: int = 30000
    # Floor alert rules (see analytics/floor_alerts.py and analytics/floor.py).
    spike_z: float = 3.0
    spike_min_count: int = 10
    spike_baseline_days: int = 14
    # Topics page: the same spike rule (spike_z, spike_min_count) over days against the previous
    # spike_baseline_days days, or over ISO weeks against the previous spike_baseline_weeks.
    spike_baseline_weeks: int = 8
    topic_weeks: int = 12  # weeks the Topics page shows
    # Customer journeys: a resolved contact followed by the customer's next one within this
    # many days is a repeat contact (docs/metrics.md).
    repeat_window_days: float = 7.0
    sl_warn_points: float = 5.0
    # A contact is negative when its sentiment (-1..1) is below this (Floor's negative posts,
    # the Topics page's negative share). VADER calls -0.05 and below negative; a mild -0.02 is
    # noise, not a complaint.
    negative_sentiment_below: float = -0.05
    # A service level on fewer closed contacts (met + missed) than this is shown neutral with
    # its n and raises no alert: two contacts are not a trend.
    min_sample_contacts: int = 10
    # Weekly trends and the weekly report (queries/weekly.py, docs/metrics.md).
    weekly_weeks: int = 12
    rising_baseline_weeks: int = 4
    rising_min_count: int = 5
    # Charts in PDF exports are drawn by this Chromium (kaleido); it is never downloaded.
    chart_browser_path: str = "/usr/bin/chromium"
    pdf_font_path: str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    # Reply review risk flags (analytics/reply_risk.py): a draft is flagged for tone when its
    # VADER compound score is at or below this, and for divergence when its similarity to the
    # playbook's approved wording for the topic (0-100) is below the other.
    reply_tone_threshold: float = -0.5
    reply_playbook_similarity: float = 60.0
    reply_phone_region: str = "GB"
    reply_risk_words: tuple[str, ...] = (
        "refund",
        "compensation",
        "compensate",
        "voucher",
        "free of charge",
        "credit your account",
        "guarantee",
        "legal",
        "lawyer",
        "lawsuit",
        "sue",
        "liable",
        "liability",
        "court",
    )
    # The playbook entry (by its issue) whose approved response is the public reply sent when a
    # reviewer moves a conversation to a private channel.
    reply_private_issue: str = "Moved to private"
    # Reply review analytics: how many weeks back the approval charts reach.
    reply_analytics_weeks: int = 8
    # QA forms: the sampling form's opening quota and due date, the period the pages open on.
    qa_quota_per_agent: int = 5
    qa_due_days: int = 7
    qa_period_days: int = 28

    @field_validator("concurrency")
    @classmethod
    def _keep_default_kinds(cls, value: dict[str, float]) -> dict[str, float]:
        # Setting one kind (e.g. chat) must not drop the others to 1.
        return {**DEFAULT_CONCURRENCY, **value}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _SecretsFile(settings_cls)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; call `get_settings.cache_clear()` in tests)."""
    return Settings()
