"""Settings come from the environment first, then the secrets file, then defaults — every one
of them, structured ones (concurrency) included."""

import pytest
from pydantic import ValidationError

from db.settings import DEFAULT_SQLITE_PATH, Settings, get_settings


@pytest.fixture
def secrets(tmp_path, monkeypatch):
    """A secrets file in a temporary place; FLOORLIGHT_* variables of the test run removed."""
    path = tmp_path / "secrets.toml"
    monkeypatch.setenv("FLOORLIGHT_SECRETS_FILE", str(path))
    for name in Settings.model_fields:
        monkeypatch.delenv(f"FLOORLIGHT_{name.upper()}", raising=False)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_environment_beats_secrets_file_beats_default(secrets, monkeypatch):
    secrets.write_text('[floorlight]\ntimezone = "America/New_York"\nspike_z = 4.5\n')
    monkeypatch.setenv("FLOORLIGHT_SPIKE_Z", "2.5")
    settings = get_settings()
    assert settings.spike_z == 2.5  # environment
    assert settings.timezone == "America/New_York"  # secrets file
    assert settings.max_failed_logins == 5  # default
    assert settings.db_url == f"sqlite:///{DEFAULT_SQLITE_PATH}"


def test_an_empty_environment_variable_counts_as_unset(secrets, monkeypatch):
    secrets.write_text('timezone = "Asia/Tokyo"\n')  # top level works too
    monkeypatch.setenv("FLOORLIGHT_TIMEZONE", "")
    assert get_settings().timezone == "Asia/Tokyo"


def test_concurrency_is_settable_like_the_others_and_keeps_unnamed_kinds(secrets, monkeypatch):
    assert get_settings().concurrency == {"voice": 1.0, "async": 3.0, "social": 3.0, "chat": 2.0}
    secrets.write_text("[floorlight.concurrency]\nchat = 4\n")
    get_settings.cache_clear()
    assert get_settings().concurrency["chat"] == 4.0
    assert get_settings().concurrency["social"] == 3.0
    monkeypatch.setenv("FLOORLIGHT_CONCURRENCY", '{"social": 5}')
    get_settings.cache_clear()
    # Per kind: the environment's, else the file's, else the default.
    assert get_settings().concurrency == {"voice": 1.0, "async": 3.0, "social": 5.0, "chat": 4.0}


def test_a_bad_value_is_refused_with_its_name(secrets, monkeypatch):
    monkeypatch.setenv("FLOORLIGHT_REFRESH_SECONDS", "often")
    with pytest.raises(ValidationError, match="refresh_seconds"):
        get_settings()
