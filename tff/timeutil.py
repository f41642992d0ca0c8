"""Times are stored as naive UTC and shown in UK local time."""

from datetime import UTC, datetime
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
