"""Times are stored as naive UTC and shown in UK local time; the financial year a date falls in.

Nothing here imports the rest of the product, so the rules engine and the imports alike may
use it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(LONDON)


def format_datetime(value: datetime | None) -> str:
    value = local(value)
    if value is None:
        return ""
    return value.strftime("%-d %b %Y %H:%M:%S")


def financial_year_of(day: date) -> str:
    """The financial year (1 April to 31 March, like `2012/13`) a date falls in."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"
