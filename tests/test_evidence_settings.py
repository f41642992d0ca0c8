"""Evidence settings an administrator edits: the school term calendar, the out-of-work
benefits and further event and spell kinds; what they change in the imports and the timeline."""

import re
from datetime import date
from html import unescape

from sqlalchemy import select

from tests.case_work import day, error_summary, post
from tests.helpers import sign_in, submit
from tests.imports_support import attendance_csv, cohort, events_csv, run_import, spells_csv
from tff.audit.models import AuditEntry
from tff.evidence.kinds import EVENT_KINDS
from tff.evidence.settings import TermCalendar, event_kinds, out_of_work_codes, spell_kinds, term_dates
from tff.extensions import db

TERMS_2012 = "/admin/evidence/terms/2012"


def _calendar(**dates) -> dict:
    data = {}
    for name, when in dates.items():
        data.update(day(name, when))
    return data


SCHOOL_2012 = {
    "autumn_start": date(2012, 9, 3),
    "autumn_end": date(2012, 12, 20),
    "spring_start": date(2013, 1, 7),
    "spring_end": date(2013, 3, 28),
    "summer_start": date(2013, 4, 15),
    "summer_end": date(2013, 7, 19),
}


def _titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    found = re.findall(r'<h3 class="govuk-heading-s tff-timeline__title">(.*?)</h3>', html, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", t)).split()) for t in found]


def _evidence(client) -> list[str]:
    """The family F001's timeline, newest first, without its case entries."""
    return [t for t in _titles(client.get("/families/F001/timeline")) if t != "Case identified"]


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        for entry in entries:
            db.session.expunge(entry)
        return entries


def _urls(app) -> list[str]:
    args = {"first_year": 2012}
    with app.test_request_context():
        from flask import url_for

        return [
            url_for(rule.endpoint, **{a: args[a] for a in rule.arguments})
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("evidence_settings.")
        ]


def test_only_administrators_see_the_settings(client, make, clean):
    urls = _urls(clean)
    assert len(urls) >= 5
    for role in ("coordinator", "lead_worker", "manager", "auditor", "finance"):
        sign_in(client, make.user(role).email)
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
            assert post(client, url).status_code in (403, 405), (role, url)
        post(client, "/logout")
    admin = make.user("admin")
    client = clean.test_client()
    sign_in(client, admin.email)
    page = client.get("/admin/evidence/")
    assert page.status_code == 200
    assert 'href="/admin/evidence/"' in page.get_data(as_text=True)  # in the navigation
    assert "Evidence settings" in page.get_data(as_text=True)


def test_the_default_calendar_where_none_is_set(clean):
    with clean.app_context():
        assert term_dates("2012/13", "autumn") == (date(2012, 9, 1), date(2012, 12, 31))
        assert term_dates("2012/13", "spring") == (date(2013, 1, 1), date(2013, 3, 31))
        assert term_dates("2012/13", "summer") == (date(2013, 4, 1), date(2013, 7, 31))
        assert out_of_work_codes() == {"JSA", "ESA", "IS", "IB", "SDA"}
        assert event_kinds() == EVENT_KINDS


def test_term_dates_set_by_an_administrator_date_attendance_on_the_timeline(client, make, clean):
    cohort(clean)
    run_import(
        clean,
        "attendance",
        attendance_csv(
            {
                "person_ref": "F001-02",
                "academic_year": "2012/13",
                "term": "autumn",
                "possible_sessions": "140",
                "unauthorised_absence_sessions": "14",
            }
        ),
    )
    run_import(clean, "events", events_csv({"person_ref": "F001-02", "kind": "offence", "date": "2012-12-24"}))
    coordinator = make.user("coordinator")
    sign_in(client, coordinator.email)
    # by default the autumn term ends on 31 December: after the offence
    assert _evidence(client) == ["School attendance, autumn term 2012/13: Liam Smith", "Offence: Liam Smith"]
    admin_client = clean.test_client()
    admin = make.user("admin")
    sign_in(admin_client, admin.email)
    form = admin_client.get(TERMS_2012)
    assert form.status_code == 200
    assert "School term dates, 2012/13" in form.get_data(as_text=True)
    response = submit(admin_client, TERMS_2012, _calendar(**SCHOOL_2012))
    assert response.status_code == 302
    with clean.app_context():
        assert term_dates("2012/13", "autumn") == (date(2012, 9, 3), date(2012, 12, 20))
        assert term_dates("2012/13", "summer") == (date(2013, 4, 15), date(2013, 7, 19))
        assert term_dates("2013/14", "autumn") == (date(2013, 9, 1), date(2013, 12, 31))  # others keep the default
    assert "3 Sep 2012 to 20 Dec 2012" in admin_client.get("/admin/evidence/").get_data(as_text=True)
    # now the term ended on 20 December: before the offence
    assert _evidence(client) == ["Offence: Liam Smith", "School attendance, autumn term 2012/13: Liam Smith"]
    (entry,) = _audit(clean, "evidence.term_calendar")
    assert entry.user_id == admin.id and entry.object_id == "2012/13"
    assert entry.before["autumn_end"] == "2012-12-31" and entry.after["autumn_end"] == "2012-12-20"


def test_term_dates_are_checked(client, make, clean):
    sign_in(client, make.user("admin").email)
    wrong_way = {**SCHOOL_2012, "autumn_end": date(2012, 8, 1)}
    response = submit(client, TERMS_2012, _calendar(**wrong_way))
    assert response.status_code == 400
    assert "Autumn term must end on or after the day it starts" in error_summary(response)
    overlapping = {**SCHOOL_2012, "spring_start": date(2012, 12, 1)}
    response = submit(client, TERMS_2012, _calendar(**overlapping))
    assert response.status_code == 400
    assert "Spring term must start after the autumn term ends (20 December 2012)" in error_summary(response)
    missing = {k: v for k, v in SCHOOL_2012.items() if k != "summer_end"}
    response = submit(client, TERMS_2012, _calendar(**missing))
    assert response.status_code == 400
    assert "Enter the summer end date" in error_summary(response)
    response = submit(client, TERMS_2012, {**_calendar(**SCHOOL_2012), "summer_start": ["31", "2", "2013"]})
    assert "Summer term starts must be a real date" in error_summary(response)
    with clean.app_context():
        assert db.session.scalars(select(TermCalendar)).all() == []
    assert _audit(clean, "evidence.term_calendar") == []
    assert client.get("/admin/evidence/terms?year=2012/14", follow_redirects=True).status_code == 200
    assert client.get("/admin/evidence/terms?year=2014/15").headers["Location"].endswith("/admin/evidence/terms/2014")


def test_the_out_of_work_benefits_are_edited(client, make, clean):
    admin = make.user("admin")
    sign_in(client, admin.email)
    assert 'value="ESA, IB, IS, JSA, SDA"' in client.get("/admin/evidence/benefits").get_data(as_text=True)
    response = submit(client, "/admin/evidence/benefits", {"codes": "J-SA, UC"})
    assert response.status_code == 400
    assert "J-SA is not" in error_summary(response)
    response = submit(client, "/admin/evidence/benefits", {"codes": "jsa, esa; uc"})
    assert response.status_code == 302
    with clean.app_context():
        assert out_of_work_codes() == {"JSA", "ESA", "UC"}
    (entry,) = _audit(clean, "evidence.out_of_work_benefits")
    assert entry.user_id == admin.id
    assert entry.before == {"codes": ["ESA", "IB", "IS", "JSA", "SDA"]}
    assert entry.after == {"codes": ["ESA", "JSA", "UC"]}


def test_an_added_kind_is_accepted_by_the_next_import_and_named_on_the_timeline(client, make, clean):
    cohort(clean)
    gang = events_csv({"person_ref": "F001-02", "kind": "gang_involvement", "date": "2013-02-01"})
    before = run_import(clean, "events", gang)
    assert before.accepted == 0
    assert before.rejections[2][0].startswith('kind "gang_involvement" is not one of asb')
    admin = make.user("admin")
    sign_in(client, admin.email)
    response = submit(
        client,
        "/admin/evidence/kinds/new",
        {"family": "event", "code": "Gang_Involvement", "label": "Gang involvement"},
    )
    assert response.status_code == 302
    response = submit(
        client, "/admin/evidence/kinds/new", {"family": "event", "code": "gang_involvement", "label": "x"}
    )
    assert response.status_code == 400
    assert "Code gang_involvement is already a event kind" in error_summary(response)
    response = submit(client, "/admin/evidence/kinds/new", {"family": "spell", "code": "asb", "label": ""})
    assert "Enter a label" in error_summary(response)
    response = submit(client, "/admin/evidence/kinds/new", {"family": "spell", "code": "9 lives", "label": "Nine"})
    assert "Code must start with a letter" in error_summary(response)
    submit(client, "/admin/evidence/kinds/new", {"family": "spell", "code": "youth_offending", "label": "YOT order"})
    with clean.app_context():
        assert event_kinds() == (*EVENT_KINDS, "gang_involvement")
        assert spell_kinds()[-1] == "youth_offending"
    assert run_import(clean, "events", gang).accepted == 1
    spell = spells_csv({"person_ref": "F001-01", "kind": "youth_offending", "start_date": "2013-01-01"})
    assert run_import(clean, "spells", spell).accepted == 1
    # the timeline is case work: a coordinator reads it (an administrator would give a reason)
    coordinator = clean.test_client()
    sign_in(coordinator, make.user("coordinator").email)
    assert _evidence(coordinator) == ["Gang involvement: Liam Smith", "YOT order started: Amy Smith"]
    page = client.get("/admin/evidence/").get_data(as_text=True)
    assert "Gang involvement (added)" in page
    entries = _audit(clean, "evidence.kind_add")
    assert [(e.after["family"], e.after["code"], e.user_id) for e in entries] == [
        ("event", "gang_involvement", admin.id),
        ("spell", "youth_offending", admin.id),
    ]
