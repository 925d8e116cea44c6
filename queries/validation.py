"""Field checks for the admin forms: coerce what a widget hands over, one message per field.

A `FormCheck` reads raw form values, returns the cleaned value of each field and remembers the
first problem of each, so the form can show every message at once; `raise_if_errors()` turns
them into a `ValidationError`. Checks that need the database (a name already taken, a channel
that does not exist) are added by the calling module with `error()`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table, select

from queries.writes import ValidationError, as_utc_naive

# Deliberately loose: one @, no spaces, a dot in the domain. Real validation is the mail server.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _missing(value: Any) -> bool:
    """None, NaN, pandas.NA or NaT: a cell the user left empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


class FormCheck:
    """Validates the fields of one form submission."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.errors: dict[str, str] = {}

    def error(self, field: str, message: str) -> None:
        """Record a problem with `field` (the first one per field is kept)."""
        self.errors.setdefault(field, message)

    def raise_if_errors(self) -> None:
        """Raise ValidationError with every recorded problem, if any."""
        if self.errors:
            raise ValidationError(self.errors)

    def _raw(self, field: str) -> Any:
        value = self.values.get(field)
        # Blank text boxes and pandas' missing values (new data-editor rows) mean "not given".
        if isinstance(value, str) and not value.strip():
            return None
        if _missing(value):
            return None
        return value

    def text(self, field: str, *, max_length: int, required: bool = True) -> str | None:
        """Trimmed text; required fields must not be blank."""
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, "is required")
            return None
        if not isinstance(value, str):
            self.error(field, "must be text")
            return None
        value = value.strip()
        if len(value) > max_length:
            self.error(field, f"must be at most {max_length} characters")
            return None
        return value

    def integer(
        self, field: str, *, minimum: int | None = None, required: bool = True
    ) -> int | None:
        """A whole number, optionally at least `minimum`."""
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, "is required")
            return None
        if hasattr(value, "item") and not isinstance(value, bool | int | float | str):
            value = value.item()  # numpy scalars from a data editor
        number: int | None = None
        if isinstance(value, bool):
            number = None  # True is an int to Python, never a count to a person
        elif isinstance(value, int):
            number = value
        elif (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value)
        ):
            number = int(value)
        if number is None:
            self.error(field, "must be a whole number")
            return None
        if minimum is not None and number < minimum:
            self.error(field, f"must be at least {minimum}")
            return None
        return number

    def number(
        self,
        field: str,
        *,
        greater_than: float | None = None,
        at_most: float | None = None,
        required: bool = True,
    ) -> float | None:
        """A finite number within (greater_than, at_most]."""
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, "is required")
            return None
        try:
            if isinstance(value, bool):
                raise TypeError
            number = float(value)
        except (TypeError, ValueError):
            self.error(field, "must be a number")
            return None
        if not math.isfinite(number):
            self.error(field, "must be a number")
            return None
        if greater_than is not None and number <= greater_than:
            self.error(field, f"must be greater than {greater_than:g}")
            return None
        if at_most is not None and number > at_most:
            self.error(field, f"must be at most {at_most:g}")
            return None
        return number

    def boolean(self, field: str, *, nullable: bool = False, default: bool = False) -> bool | None:
        """A yes/no value; with `nullable`, None stays None (meaning "any"), else `default`."""
        value = self.values.get(field)
        if _missing(value):
            return None if nullable else default
        if hasattr(value, "item") and not isinstance(value, bool):  # numpy bool
            value = value.item()
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self.error(field, "must be yes or no")
        return None

    def choice(self, field: str, options: Sequence[str], *, nullable: bool = False) -> str | None:
        """One of `options`; with `nullable`, a missing value is allowed and stays None."""
        value = self._raw(field)
        if value is None:
            if not nullable:
                self.error(field, "is required")
            return None
        if value not in options:
            self.error(field, f"must be one of: {', '.join(options)}")
            return None
        return value

    def moment(self, field: str) -> datetime | None:
        """A datetime (naive = UTC); a date means its midnight; ISO text is accepted."""
        value = self._raw(field)
        if value is None:
            self.error(field, "is required")
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.error(field, "must be a date and time (YYYY-MM-DD HH:MM)")
                return None
        if hasattr(value, "to_pydatetime"):  # pandas Timestamp
            value = value.to_pydatetime()
        if isinstance(value, datetime):
            return as_utc_naive(value)
        if isinstance(value, date):
            return datetime.combine(value, time())
        self.error(field, "must be a date and time")
        return None

    def email(self, field: str, *, required: bool = True) -> str | None:
        """An address that looks like one (something@domain.tld, no spaces)."""
        value = self.text(field, max_length=200, required=required)
        if value is not None and not EMAIL_PATTERN.match(value):
            self.error(field, "must look like name@example.com")
            return None
        return value


def check_known_fields(values: Mapping[str, Any], allowed: Sequence[str], *, form: str) -> None:
    """Refuse fields a form does not have — a programming error, not a user's."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"{form}: unknown fields {sorted(unknown)}")


def row_exists(conn: Connection, table: Table, *where: Any, other_than: Any = None) -> bool:
    """Whether a row of `table` matches `where`, leaving out the one with id `other_than` (the
    record being edited) — for checks like "a topic of this name already exists"."""
    statement = select(table.c.id).where(*where)
    if other_than is not None:
        statement = statement.where(table.c.id != other_than)
    return conn.scalar(statement.limit(1)) is not None
