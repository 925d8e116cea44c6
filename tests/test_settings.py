"""Settings come from the environment first, then the secrets file, then defaults."""

from db.settings import DEFAULT_SQLITE_PATH, get_settings


def test_environment_beats_secrets_file_beats_default(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[floorlight]\ntimezone = "America/New_York"\nspike_z = 4.5\n')
    monkeypatch.setenv("FLOORLIGHT_SECRETS_FILE", str(secrets))
    monkeypatch.setenv("FLOORLIGHT_SPIKE_Z", "2.5")
    monkeypatch.delenv("FLOORLIGHT_DB_URL", raising=False)
    monkeypatch.delenv("FLOORLIGHT_TIMEZONE", raising=False)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert settings.spike_z == 2.5  # environment
        assert settings.timezone == "America/New_York"  # secrets file
        assert settings.max_failed_logins == 5  # default
        assert settings.db_url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    finally:
        get_settings.cache_clear()
