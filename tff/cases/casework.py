"""Pieces shared by the day-to-day case work packages (Family CAF, progress, referrals)."""

from datetime import date

from flask import abort, render_template, url_for
from sqlalchemy import select

from tff.audit.operations import record
from tff.dates import date_problem
from tff.extensions import db


def audit(family, action: str, summary: str, by, before: dict | None = None, after: dict | None = None):
    """An entry in the family's audit trail (object `family`, its reference), not committed."""
    return record(action, "family", family.reference, summary, before=before, after=after, user=by)


def in_family_or_404(model, family, record_id: int):
    """The record with this id if it belongs to this family; 404 otherwise, as for a family
    the user may not see."""
    found = db.session.scalar(select(model).where(model.id == record_id, model.family_id == family.id))
    if found is None:
        abort(404)
    return found


def check_date(problems: dict, field: str, day: date | None, label: str, not_before=None, before_label=None):
    """Dates of things that have happened: not in the future, and not before `not_before`."""
    if day is None:
        return
    if problem := date_problem(day, label):
        problems[field] = problem
    elif day > date.today():
        problems[field] = f"{label} must be today or in the past"
    elif not_before and day < not_before:
        problems[field] = f"{label} must be on or after {before_label} ({not_before:%-d %B %Y})"


def form_page(form, family, heading: str, back_url: str | None = None, template="form_page.html", **context):
    """A page of one form about a family (or about a new one, when `family` is None), with
    the family as the caption and a back link."""
    if back_url is None:
        back_url = url_for("cases.show", reference=family.reference) if family else url_for("cases.index")
    return render_template(
        template,
        form=form,
        family=family,
        heading=heading,
        caption=f"Family {family.reference}" if family else None,
        back_url=back_url,
        **context,
    )


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a text box, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
