"""Safeguarding flags: an open CP or CIN plan, a CSE concern from the Family CAF screening, a
recent domestic abuse incident or missing episode. Each is found with its date and source, for
many families in a few queries, and shown at the top of every page of the family, beside it in
the families list and the caseloads, and on the lead worker's and coordinator's home pages."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import event

from tests.case_work import member, sign_in_as, text
from tests.helpers import sign_in
from tff.cases.caf.models import Screening
from tff.cases.eligibility import NATIONAL
from tff.cases.models import FamilyCriterion
from tff.cases.safeguarding import flags_for
from tff.dates import today as uk_today
from tff.evidence.models import Event, Spell
from tff.extensions import db


def _today(app) -> date:
    with app.app_context():
        return uk_today()


def _add(app, *rows) -> None:
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def _cse(app, family_id, member_id, on, outcome, by_id):
    _add(
        app,
        Screening(
            family_id=family_id,
            kind="cse",
            member_id=member_id,
            completed_on=on,
            answers={},
            outcome=outcome,
            outcome_note="Referred to the multi-agency CSE team" if outcome != "no_concern" else None,
            by_id=by_id,
        ),
    )


def _flags(app, family_ids, today=None) -> dict:
    with app.app_context():
        return flags_for(family_ids, today)


@pytest.fixture
def worker(client, make):
    """A lead worker, signed in, who leads family F1 (a mother and a son)."""
    user = make.user("lead_worker", name="Lena Worker")
    user.family = make.family("F1", lead_worker_id=user.id, status="attached", attached_on=date(2026, 1, 5))
    user.mother = member(make.app, user.family.id, "Dawn", "Hale", date(1985, 3, 2), "mother")
    user.son = member(make.app, user.family.id, "Kyle", "Hale", date(2011, 5, 1), "child")
    sign_in(client, user.email)
    return user


def test_each_kind_of_flag_is_found_with_its_date_and_source_and_only_while_it_counts(app, make, worker):
    today = _today(app)
    f1, son, mother = worker.family.id, worker.son, worker.mother
    six_months_ago = today - relativedelta(months=6)
    _add(
        app,
        Spell(member_id=son, kind="cp_plan", start_date=date(2026, 2, 1), source="social_care"),
        Spell(member_id=son, kind="cin_plan", start_date=date(2025, 6, 1), end_date=today, source="social_care"),
        Spell(member_id=mother, kind="cin_plan", start_date=date(2024, 1, 1), end_date=today - timedelta(days=1)),
        Spell(member_id=mother, kind="benefit", detail="JSA", start_date=date(2024, 1, 1)),
        Event(member_id=mother, kind="domestic_abuse", date=six_months_ago, source="police"),
        Event(member_id=mother, kind="domestic_abuse", date=six_months_ago - timedelta(days=1), source="police"),
        Event(member_id=son, kind="missing_episode", date=today - timedelta(days=40), source="police"),
        Event(member_id=son, kind="missing_episode", date=today - timedelta(days=9), source=""),
        Event(member_id=son, kind="missing_episode", date=today - timedelta(days=20), source="police"),
        Event(member_id=son, kind="offence", date=today - timedelta(days=3), source="police"),
    )
    _cse(app, f1, son, today - timedelta(days=2), "referral_made", worker.id)
    quiet = make.family("F2", lead_worker_id=worker.id)

    flags = _flags(app, [f1, quiet.id])
    assert quiet.id not in flags  # a family with nothing is not flagged
    shown = [(f.short, f.member, f.on, f.source, f.until, f.count) for f in flags[f1]]
    assert shown == [
        ("CP plan", "Kyle Hale", date(2026, 2, 1), "social care", None, 1),
        ("CIN plan", "Kyle Hale", date(2025, 6, 1), "social care", today, 1),  # ends today: still open
        ("CSE concern", "Kyle Hale", today - timedelta(days=2), "Family CAF screening by Lena Worker", None, 1),
        ("Domestic abuse", "Dawn Hale", six_months_ago, "police", None, 1),  # exactly six months ago counts
        ("Missing episode", "Kyle Hale", today - timedelta(days=9), "Source not recorded", None, 3),
    ]
    # Seven months on, only the plans and the screening remain.
    later = _flags(app, [f1], today + relativedelta(months=7))[f1]
    assert [f.short for f in later] == ["CP plan", "CSE concern"]


def test_a_cse_concern_stands_until_a_later_screening_of_the_person_finds_none(app, make, worker):
    today = _today(app)
    f1, son = worker.family.id, worker.son
    _cse(app, f1, son, today - timedelta(days=30), "already_known", worker.id)
    _cse(app, f1, None, today - timedelta(days=10), "no_concern", worker.id)  # the whole family: not Kyle
    [flag] = _flags(app, [f1])[f1]
    assert (flag.title, flag.member) == ("CSE or exploitation concern", "Kyle Hale")
    assert flag.on == today - timedelta(days=30)
    with app.app_context():
        db.session.add(
            Screening(family_id=f1, kind="substance", completed_on=today, answers={}, outcome="referral_made")
        )
        db.session.commit()
    assert [f.kind for f in _flags(app, [f1])[f1]] == ["cse"]  # a drug and alcohol concern is not a CSE flag
    _cse(app, f1, son, today - timedelta(days=1), "no_concern", worker.id)
    assert _flags(app, [f1]) == {}


def test_many_families_take_the_same_few_queries_as_one(app, make, worker):
    today = _today(app)
    ids = []
    for n in range(12):
        family = make.family(f"M{n}")
        child = member(app, family.id, "Child", f"Number{n}", date(2012, 1, 1), "child")
        _add(app, Event(member_id=child, kind="missing_episode", date=today, source="police"))
        _add(app, Spell(member_id=child, kind="cp_plan", start_date=today, source="social_care"))
        _cse(app, family.id, child, today, "referral_made", worker.id)
        ids.append(family.id)

    def queries(family_ids) -> tuple[int, dict]:
        with app.app_context():
            statements = []
            engine = db.engine
            listener = lambda *args: statements.append(args[2])  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                found = flags_for(family_ids)
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            return len(statements), found

    one, _ = queries(ids[:1])
    many, found = queries(ids)
    assert one == many == 3
    assert len(found) == 12 and all(len(flags) == 3 for flags in found.values())


def test_the_flags_show_on_every_family_page_in_the_lists_and_on_the_home_pages(client, app, make, worker):
    today = _today(app)
    coordinator = make.user("coordinator", name="Cara Coordinator")
    other = make.user("lead_worker", name="Otto Other")
    theirs = make.family("F3", lead_worker_id=other.id, status="attached")
    their_child = member(app, theirs.id, "Amy", "Stone", date(2010, 1, 1), "child")
    make.family("F2", lead_worker_id=worker.id, status="attached")
    _cse(app, worker.family.id, worker.son, today - timedelta(days=2), "referral_made", worker.id)
    _add(app, Event(member_id=their_child, kind="domestic_abuse", date=today - timedelta(days=5), source="police"))
    flagged_on = f"{(today - timedelta(days=2)).day} {today - timedelta(days=2):%b %Y}"

    # The top of every page of the family.
    for url in ("/families/F1", "/families/F1/caf", "/families/F1/plan", "/families/F1/notes"):
        page = text(client.get(url))
        assert "Safeguarding: take care with this family" in page, url
        assert f"CSE or exploitation concern – Kyle Hale: {flagged_on} (Family CAF screening by Lena Worker)" in page
    assert "Safeguarding" not in text(client.get("/families/F2"))

    # Beside the family in the list, with the flags' names for those who cannot see the colour.
    html = client.get("/families/").get_data(as_text=True)
    row_f1 = html[html.index(">F1</a>") : html.index(">F2</a>")]
    assert "govuk-tag--red" in row_f1 and "Safeguarding" in row_f1
    assert '<span class="govuk-visually-hidden">: CSE concern</span>' in row_f1
    assert 'title="CSE concern"' in row_f1
    assert "Safeguarding" not in html[html.index(">F2</a>") :]

    # The lead worker's home page: their flagged families only.
    home = text(client.get("/"))
    assert "Safeguarding 1 family with safeguarding flags" in home
    assert f"F1 CSE or exploitation concern – Kyle Hale: {flagged_on}" in home
    assert "F3" not in home and "Amy Stone" not in home

    # The coordinator's: every flagged family, with its lead worker; and the caseloads.
    sign_in_as(client, coordinator)
    home = text(client.get("/"))
    assert "2 families with safeguarding flags" in home
    assert "F3 Domestic abuse incident – Amy Stone" in home and "(police) Otto Other" in home
    assert "F1 CSE or exploitation concern" in home and "Lena Worker" in home
    caseloads = text(client.get("/families/caseloads"))
    assert "Lena Worker 2 No limit 1 flagged" in caseloads and "Otto Other 1 No limit 1 flagged" in caseloads
    assert "With safeguarding flags" in caseloads


def test_a_home_page_without_flagged_families_says_so(client, app, worker):
    assert "None of your families has a safeguarding flag." in text(client.get("/"))


def test_the_identification_worklist_marks_a_flagged_family(client, app, make):
    sign_in(client, make.user("coordinator").email)
    today = _today(app)
    for reference in ("W1", "W2"):
        family = make.family(reference, status="identified", identified_on=date(2013, 1, 1))
        with app.app_context():
            db.session.add_all(
                FamilyCriterion(family_id=family.id, kind="national", code=code, source="confirmed")
                for code in NATIONAL
            )
            db.session.commit()
        if reference == "W1":
            child = member(app, family.id, "Amy", "Stone", date(2012, 1, 1), "child")
            _add(app, Spell(member_id=child, kind="cin_plan", start_date=today, source="social_care"))
    html = client.get("/identification/").get_data(as_text=True)
    row_w1 = html[html.index('data-family="W1"') : html.index('data-family="W2"')]
    assert "tff-safeguarding-tag" in row_w1 and '<span class="govuk-visually-hidden">: CIN plan</span>' in row_w1
    assert "tff-safeguarding-tag" not in html[html.index('data-family="W2"') :]
