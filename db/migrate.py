"""Upgrade a database to the newest schema with Alembic (used by `cli.py init-db` and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"


def alembic_config(url: str) -> Config:
    """An Alembic config pointed at `url`."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(url: str) -> None:
    """Create or upgrade every table of `url` to the head revision."""
    command.upgrade(alembic_config(url), "head")
