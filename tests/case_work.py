"""Helpers for the tests of the day-to-day case work: the Family CAF, progress and referrals."""

import re
from datetime import date, timedelta
from html import unescape

from sqlalchemy import select

from tests.helpers import csrf_token
from tff.extensions import db

TODAY = date.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def ahead(days: int) -> date:
    return TODAY + timedelta(days=days)


def day(name: str, when: date) -> dict:
    """A GOV.UK date input: three values under one name."""
    return {name: [str(when.day), str(when.month), str(when.year)]}


def text(response) -> str:
    """The words of the page, as a reader sees them: tags gone, entities decoded, whitespace collapsed."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(words))


def error_summary(response) -> str:
    """The words of the page's error summary (empty when there is none)."""
    html = response.get_data(as_text=True)
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(0)))) if match else ""


def post(client, url: str, data: dict | None = None, **kwargs):
    """A POST with a session's CSRF token, as the small POST-only forms on the pages send."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, "/")}, **kwargs)


def sign_in_as(client, user) -> None:
    """Sign out whoever is signed in, and sign this user in."""
    from tests.helpers import sign_in

    post(client, "/logout")
    response = sign_in(client, user.email)
    assert response.status_code == 302, f"{user.email} could not sign in"


def member(app, family_id: int, first: str, last: str, born: date, relationship="mother", ref=None) -> int:
    from tff.cases.models import Member

    with app.app_context():
        m = Member(
            family_id=family_id,
            person_ref=ref or f"P{family_id}-{first}",
            first_name=first,
            last_name=last,
            date_of_birth=born,
            relationship=relationship,
        )
        db.session.add(m)
        db.session.commit()
        return m.id


def taf_member(app, family_id: int, name: str, agency: str | None = None, user_id=None) -> int:
    from tff.cases.models import TafMember

    with app.app_context():
        m = TafMember(family_id=family_id, name=name, agency=agency, user_id=user_id, joined_on=ago(100))
        db.session.add(m)
        db.session.commit()
        return m.id


def audit_entries(app, action: str, object_id: str | None = None) -> list:
    """(summary, before, after, user_id) of each audit entry of this action, oldest first."""
    from tff.audit.models import AuditEntry

    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
        return [(e.summary, e.before, e.after, e.user_id) for e in db.session.scalars(query)]


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return len(db.session.scalars(query).all())


def record_criteria(client, reference: str, kind: str, codes, note: str = "Confirmed with the family at a home visit"):
    """A coordinator records criteria of one kind for a family, as its page's "Record criteria"
    form does; returns the response."""
    from tests.helpers import submit

    return submit(
        client,
        f"/families/{reference}/criteria/record",
        {"criteria": [f"{kind}:{code}" for code in codes], "note": note},
    )
