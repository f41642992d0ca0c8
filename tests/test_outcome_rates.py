"""Phase one's rate table as an administrator's setting: the spec's table until one is saved;
a year changed, added or removed on /admin/outcomes/rates; what the engine and `flask outcomes`
then pay; every problem of a refused table at once, naming the year and the column."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.case_work import error_summary, post, text
from tests.helpers import Maker, sign_in, submit
from tff.audit.models import AuditEntry
from tff.cases.models import Member
from tff.evidence.models import AttendanceRecord, Event
from tff.evidence.settings import EvidenceSetting, SettingRefused
from tff.extensions import db
from tff.outcomes import loader
from tff.outcomes.phase1 import Rates, default_rates
from tff.outcomes.rates import RATES_KEY, phase1_rates, set_phase1_rates

URL = "/admin/outcomes/rates"
COLUMNS = ("attachment_fee", "crime_asb_education", "progress_to_work", "continuous_employment")


def _form(rows: list[tuple], new: tuple | None = None, remove: tuple[str, ...] = ()) -> dict:
    """The form's fields: a row per (year, fee, crime, progress, employment), then the row to add."""
    data = {}
    for i, (year, *amounts) in enumerate(rows):
        data[f"rows-{i}-year"] = year
        data.update({f"rows-{i}-{c}": str(a) for c, a in zip(COLUMNS, amounts, strict=True)})
        if year in remove:
            data[f"rows-{i}-remove"] = "1"
    i = len(rows)
    year, *amounts = new or ("", "", "", "", "")
    data.update({f"rows-{i}-year": year, f"rows-{i}-new": "1"})
    data.update({f"rows-{i}-{c}": str(a) for c, a in zip(COLUMNS, amounts, strict=True)})
    return data


DEFAULT_ROWS = [
    ("2012/13", 3200, 700, 100, 800),
    ("2013/14", 2400, 1400, 200, 1600),
    ("2014/15", 1600, 2100, 300, 2400),
]


def _example_one(app, reference: str, first_year: int = 2012) -> None:
    """Worked example 1, attached on 15 September of `first_year`: the child's absence falls from
    20% to 8% and the family's ASB from 5 incidents to 1."""
    shift = first_year - 2012
    family = Maker(app).family(reference, status="attached", attached_on=date(first_year, 9, 15))

    def moved(day: date) -> date:
        return day.replace(year=day.year + shift)

    with app.app_context():
        child = Member(
            family_id=family.id,
            person_ref=f"{reference}-C",
            first_name="Casey",
            last_name="Child",
            date_of_birth=moved(date(2001, 5, 1)),
        )
        db.session.add(child)
        db.session.flush()
        for first, absent in ((first_year - 1, 20), (first_year, 8)):
            for term in ("autumn", "spring", "summer"):
                db.session.add(
                    AttendanceRecord(
                        member_id=child.id,
                        academic_year=f"{first}/{(first + 1) % 100:02d}",
                        term=term,
                        possible=100,
                        unauthorised=absent,
                        school="",
                    )
                )
        asb = [date(2012, 3, 15), date(2012, 5, 1), date(2012, 6, 1), date(2012, 8, 1), date(2012, 9, 14)]
        for day in [*asb, date(2013, 5, 10)]:
            db.session.add(Event(member_id=child.id, kind="asb", date=moved(day), source="police", detail=""))
        db.session.commit()


def _audit(app) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "outcomes.phase1_rates").order_by(AuditEntry.id)
        ).all()
        for entry in entries:
            db.session.expunge(entry)
        return entries


def _decisions(app, as_of: str) -> dict:
    result = app.test_cli_runner().invoke(args=["outcomes", "--as-of", as_of, "--json"])
    assert result.exit_code == 0, result.output
    return {(d["family_ref"], d["outcome"]): d for d in json.loads(result.output)}


def test_the_spec_table_applies_while_none_is_stored(client, make, clean):
    with clean.app_context():
        assert dict(phase1_rates()) == dict(default_rates())
        assert dict(loader.settings().rates) == dict(default_rates())
        assert db.session.get(EvidenceSetting, RATES_KEY) is None
    sign_in(client, make.user("admin").email)
    page = client.get(URL)
    assert page.status_code == 200
    words = text(page)
    assert "The default rates (none has been set)" in words
    assert "2013/14 £2,400 £1,400 £200 £1,600 £4,000" in words
    html = page.get_data(as_text=True)
    assert 'name="rows-1-year" value="2013/14"' in html and 'name="rows-3-new" value="1"' in html
    assert 'href="/admin/outcomes/rates"' in client.get("/admin/evidence/").get_data(as_text=True)


def test_an_administrator_changes_a_year_and_adds_one_and_the_engine_pays_them(client, make, clean):
    _example_one(clean, "F001", first_year=2015)
    _example_one(clean, "F002", first_year=2013)
    before = _decisions(clean, "2016-07-31")
    crime = before["F001", "crime_asb_education"]
    assert (crime["met"], crime["claimable"]) == (True, False)
    assert any("no rate for families attached in 2015/16" in r for r in crime["reasons"])

    admin = make.user("admin")
    sign_in(client, admin.email)
    rows = [DEFAULT_ROWS[0], ("2013/14", "2,400", "£1,500", 250, 1700), DEFAULT_ROWS[2]]
    response = submit(client, URL, _form(rows, new=("2015/16", 1000, 900, 400, 3000)))
    assert response.status_code == 302, error_summary(response)
    assert "The phase one rates have been saved" in text(client.get(URL))

    with clean.app_context():
        rates = loader.settings().rates
        assert rates["2015/16"] == Rates(
            attachment_fee=1000, crime_asb_education=900, progress_to_work=400, continuous_employment=3000
        )
        assert rates["2013/14"] == Rates(2400, 1500, 250, 1700)
        assert rates["2012/13"] == default_rates()["2012/13"]
    after = _decisions(clean, "2016-07-31")
    crime = after["F001", "crime_asb_education"]
    assert (crime["met"], crime["claimable"], crime["amount"]) == (True, True, 900)
    assert any("2015/16 rate" in r for r in crime["reasons"])
    assert _decisions(clean, "2014-07-31")["F002", "crime_asb_education"]["amount"] == 1500
    one = clean.test_cli_runner().invoke(args=["outcomes", "--as-of", "2016-07-31", "--family", "F001"])
    assert "claimable £900" in one.output

    (entry,) = _audit(clean)
    assert entry.user_id == admin.id and entry.object_id == RATES_KEY
    assert "added 2015/16" in entry.summary and "changed 2013/14" in entry.summary
    assert "2015/16" not in entry.before["rates"]
    assert entry.before["rates"]["2013/14"]["crime_asb_education"] == 1400
    assert entry.after["rates"]["2013/14"]["crime_asb_education"] == 1500
    assert entry.after["rates"]["2015/16"]["continuous_employment"] == 3000


def test_a_year_is_removed(client, make, clean):
    _example_one(clean, "F001", first_year=2012)
    sign_in(client, make.user("admin").email)
    response = submit(client, URL, _form(DEFAULT_ROWS, remove=("2012/13",)))
    assert response.status_code == 302, error_summary(response)
    with clean.app_context():
        assert sorted(phase1_rates()) == ["2013/14", "2014/15"]
    crime = _decisions(clean, "2013-07-31")["F001", "crime_asb_education"]
    assert (crime["met"], crime["claimable"]) == (True, False)
    (entry,) = _audit(clean)
    assert "removed 2012/13" in entry.summary and "2012/13" not in entry.after["rates"]
    assert "The rates an administrator set" in text(client.get(URL))


def test_invalid_rates_are_refused_together_naming_the_year_and_the_column(client, make, clean):
    sign_in(client, make.user("admin").email)
    rows = [
        ("2012/13", 3200, "-5", 100, 800),
        ("2013/14", 2400, 1400, "two hundred", 1600),
        ("2014/15", 1600, 2100, 300, 200),
    ]
    response = submit(client, URL, _form(rows, new=("2015/17", 1, 1, 1, 1)))
    assert response.status_code == 400
    summary = error_summary(response)
    assert "2012/13 crime/ASB/education: must be a whole number of pounds, 0 or more" in summary
    assert "2013/14 progress to work: must be a whole number of pounds, 0 or more" in summary
    assert "2014/15 continuous employment: must be at least the progress to work rate (£300)" in summary
    assert "2015/17: the financial year must be like 2012/13" in summary
    html = response.get_data(as_text=True)
    assert 'href="#rows-1-progress_to_work"' in html and 'id="rows-1-progress_to_work-error"' in html
    assert 'value="two hundred"' in html  # what was sent is shown again
    # an empty cell, and a year given twice
    response = submit(client, URL, _form([*DEFAULT_ROWS[:2], ("2013/14", 1, 1, 1, 1)]))
    assert response.status_code == 400
    assert "2013/14: the financial year is given twice" in error_summary(response)
    response = submit(client, URL, _form(DEFAULT_ROWS, new=("2015/16", 1000, "", 1, 1)))
    assert "2015/16 crime/ASB/education: must be a whole number of pounds, 0 or more" in error_summary(response)
    response = submit(client, URL, _form(DEFAULT_ROWS, remove=("2012/13", "2013/14", "2014/15")))
    assert "Enter the rates of at least one financial year" in error_summary(response)
    with clean.app_context():
        assert db.session.get(EvidenceSetting, RATES_KEY) is None
        assert dict(phase1_rates()) == dict(default_rates())
    assert _audit(clean) == []


def test_set_phase1_rates_checks_every_row(make, clean):
    admin = make.user("admin")
    with clean.app_context():
        with pytest.raises(SettingRefused) as refused:
            set_phase1_rates(
                {
                    "2013/14": {"attachment_fee": 1.5, "crime_asb_education": True, "progress_to_work": 10},
                    "13/14": {},
                },
                by=_user(admin.id),
            )
        problems = refused.value.problems
        assert problems["2013/14.attachment_fee"].startswith("2013/14 attachment fee: must be a whole number")
        assert problems["2013/14.crime_asb_education"].startswith("2013/14 crime/ASB/education")
        assert problems["2013/14.continuous_employment"].startswith("2013/14 continuous employment")
        assert problems["13/14.year"] == "13/14: the financial year must be like 2012/13"
        db.session.rollback()
        stored = set_phase1_rates({"2016/17": dict(zip(COLUMNS, (0, 0, 0, 0), strict=True))}, by=_user(admin.id))
        assert dict(stored) == {"2016/17": Rates(0, 0, 0, 0)}
    assert len(_audit(clean)) == 1


def _user(user_id: int):
    from tff.auth.models import User

    return db.session.get(User, user_id)


def test_only_administrators_see_or_change_the_rates(client, make, clean):
    for role in ("coordinator", "lead_worker", "manager", "auditor", "finance"):
        sign_in(client, make.user(role).email)
        assert client.get(URL).status_code == 403, role
        assert post(client, URL, _form(DEFAULT_ROWS, new=("2015/16", 1, 1, 1, 1))).status_code == 403, role
        post(client, "/logout")
    assert client.get(URL).status_code == 302  # signed out: to the sign-in page
    with clean.app_context():
        assert db.session.get(EvidenceSetting, RATES_KEY) is None
    sign_in(client, make.user("admin").email)
    assert client.post(URL, data=_form(DEFAULT_ROWS)).status_code == 400  # no CSRF token
    with clean.app_context():
        assert db.session.get(EvidenceSetting, RATES_KEY) is None
