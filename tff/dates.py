"""The one rule for every date the product takes, typed on a form, read from a file or given
on the command line: it lies within the plausible range (1 January 1900 to 31 December 2100
unless an administrator has changed it), and a date of birth is not in the future.

A date far outside that range (a year 1 or 9999 typed or exported by mistake) is never a
real event of the programme, and once stored it breaks the date arithmetic of every result
and claim that reads it; so it is refused where it comes in, with the reason."""

import re
from datetime import date

import click
from flask import g, has_app_context

from tff.timeutil import local, utcnow

#: the range when no administrator has set one
DEFAULT_RANGE = (date(1900, 1, 1), date(2100, 12, 31))
#: the evidence setting that holds the range an administrator set
DATE_RANGE_KEY = "date_range"
#: the widest range an administrator may set (Python's dates end at year 9999, and the date
#: arithmetic of results needs room on both sides)
WIDEST_RANGE = (date(1000, 1, 1), date(9000, 12, 31))
ACADEMIC_YEAR = re.compile(r"(\d{4})/(\d{2})")
CHANGE_NOTE = "(an administrator can change the range)"
EARLIEST, LATEST = "the earliest date the product accepts", "the latest date the product accepts"


def today() -> date:
    """Today in the UK."""
    return local(utcnow()).date()


def shown(day: date) -> str:
    """A date for a message, like 1 January 1900 (any year, even one strftime cannot show)."""
    return f"{day.day} {day:%B} {day.year}"


def _read_range() -> tuple[date, date]:
    from tff.evidence.settings import EvidenceSetting
    from tff.extensions import db

    with db.session.no_autoflush:  # a question, asked in the middle of any change
        setting = db.session.get(EvidenceSetting, DATE_RANGE_KEY)
    if setting is None or not isinstance(setting.value, dict):
        return DEFAULT_RANGE
    try:
        return date.fromisoformat(setting.value["earliest"]), date.fromisoformat(setting.value["latest"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_RANGE


def plausible_range() -> tuple[date, date]:
    """(earliest, latest) the product accepts: read once per request, import or command."""
    if not has_app_context():
        return DEFAULT_RANGE
    found = g.get("_plausible_range")
    if found is None:
        found = g._plausible_range = _read_range()
    return found


def forget_range() -> None:
    """After the range changed: the next question reads it again."""
    if has_app_context():
        g.pop("_plausible_range", None)


def date_problem(value: date | None, label: str, *, not_future: bool = False) -> str | None:
    """What is wrong with `value` as the date called `label`, or None when nothing is."""
    if value is None:
        return None
    earliest, latest = plausible_range()
    if value < earliest:
        return f"{label} {value.isoformat()} is before {shown(earliest)}, {EARLIEST} {CHANGE_NOTE}"
    if value > latest:
        return f"{label} {value.isoformat()} is after {shown(latest)}, {LATEST} {CHANGE_NOTE}"
    if not_future and value > today():
        return f"{label} {value.isoformat()} is in the future"
    return None


def academic_year_problem(value: str, label: str) -> str | None:
    """What is wrong with `value` as an academic year like 2012/13 (the second part the year
    after the first, and both years within the plausible range), or None."""
    found = ACADEMIC_YEAR.fullmatch(value or "")
    if not found or (int(found.group(1)) + 1) % 100 != int(found.group(2)):
        cut = f"{value[:40]}…" if len(value or "") > 40 else value
        return f'{label} "{cut}" is not an academic year like 2012/13'
    first = int(found.group(1))
    earliest, latest = plausible_range()
    if first < earliest.year or first + 1 > latest.year:
        return (
            f"{label} {value} is outside the academic years the product accepts "
            f"({earliest.year}/{(earliest.year + 1) % 100:02d} to {latest.year - 1}/{latest.year % 100:02d}) "
            f"{CHANGE_NOTE}"
        )
    return None


class PlausibleDate(click.DateTime):
    """A YYYY-MM-DD command-line option within the plausible range (a datetime, as
    `click.DateTime` gives); outside it the command stops with exit 2 before doing anything."""

    name = "date"

    def __init__(self):
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value, param, ctx):
        converted = super().convert(value, param, ctx)
        problem = self._problem(converted.date(), "Date", ctx)
        if problem:
            self.fail(problem, param, ctx)
        return converted

    @staticmethod
    def _problem(value: date, label: str, ctx) -> str | None:
        if has_app_context() or ctx is None:
            return date_problem(value, label)
        from flask.cli import ScriptInfo

        app = ctx.ensure_object(ScriptInfo).load_app()
        with app.app_context():
            return date_problem(value, label)
