"""Evidence recorded and corrected by hand in the family's "Evidence" section: checked as the
imports check a row, audited with before and after, and only ever of the family's own members."""

from datetime import date

from flask import url_for
from sqlalchemy import select

from tests.case_work import TODAY, ago, day, error_summary, member, post, text
from tests.helpers import csrf_token, sign_in, submit
from tff.audit.models import AuditEntry
from tff.evidence.models import Event, Spell
from tff.extensions import db


def _family(make, clean, worker_id):
    family = make.family(lead_worker_id=worker_id)
    amy = member(clean, family.id, "Amy", "Smith", date(1980, 5, 1), ref=f"{family.reference}-01")
    liam = member(
        clean, family.id, "Liam", "Smith", date(2003, 2, 1), relationship="child", ref=f"{family.reference}-02"
    )
    return family, amy, liam


def _event(clean, member_id, **values):
    with clean.app_context():
        event = Event(
            member_id=member_id,
            kind=values.get("kind", "offence"),
            date=values.get("on", ago(30)),
            source=values.get("source", "police"),
            reference=values.get("reference"),
            detail="",
        )
        db.session.add(event)
        db.session.commit()
        return event.id


def _spell(clean, member_id, **values):
    with clean.app_context():
        spell = Spell(
            member_id=member_id,
            kind=values.get("kind", "benefit"),
            detail=values.get("detail", "JSA"),
            start_date=values.get("start", ago(300)),
            end_date=None,
            source="dwp",
        )
        db.session.add(spell)
        db.session.commit()
        return spell.id


def _audit(clean, action):
    with clean.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        for entry in entries:
            db.session.expunge(entry)
        return entries


def test_a_lead_worker_records_an_event_and_a_spell(client, make, clean):
    worker = make.user("lead_worker")
    family, amy, liam = _family(make, clean, worker.id)
    sign_in(client, worker.email)
    base = f"/families/{family.reference}/evidence"
    page = client.get(base)
    assert page.status_code == 200
    assert "Record an event" in text(page) and "No evidence." in text(page)
    assert f'href="/families/{family.reference}/evidence"' in page.get_data(as_text=True)  # a section of the case
    response = submit(
        client,
        f"{base}/events/new",
        {"member_id": str(liam), "kind": "fixed_exclusion", **day("date", ago(3)), "detail": "3 days"},
    )
    assert response.status_code == 302
    response = submit(
        client,
        f"{base}/spells/new",
        {"member_id": str(amy), "kind": "benefit", **day("start_date", ago(100)), "detail": "esa"},
    )
    assert response.status_code == 302
    with clean.app_context():
        event = db.session.scalars(select(Event)).one()
        assert (event.member_id, event.kind, event.date, event.detail, event.source, event.entered_by_id) == (
            liam,
            "fixed_exclusion",
            ago(3),
            "3 days",
            "manual",
            worker.id,
        )
        spell = db.session.scalars(select(Spell)).one()
        assert (spell.member_id, spell.kind, spell.detail, spell.start_date, spell.end_date, spell.source) == (
            amy,
            "benefit",
            "ESA",
            ago(100),
            None,
            "manual",
        )
    page = text(client.get(base))
    assert "Fixed-term exclusion" in page and "3 days" in page and "still open" in page
    timeline = text(client.get(f"/families/{family.reference}/timeline"))
    assert "Fixed-term exclusion: Liam Smith" in timeline and "Benefit ESA started: Amy Smith" in timeline
    (created,) = _audit(clean, "event.manual_create")
    assert created.object_type == "family" and created.object_id == family.reference and created.user_id == worker.id
    assert created.after["kind"] == "fixed_exclusion" and created.after["date"] == ago(3).isoformat()
    assert len(_audit(clean, "spell.manual_create")) == 1


def test_what_is_recorded_is_checked(client, make, clean):
    worker = make.user("lead_worker")
    family, amy, liam = _family(make, clean, worker.id)
    other, stranger, _ = _family(make, clean, worker.id)
    sign_in(client, worker.email)
    base = f"/families/{family.reference}/evidence"
    response = submit(client, f"{base}/events/new", {"member_id": str(liam), "kind": "", "detail": ""})
    assert response.status_code == 400
    summary = error_summary(response)
    assert "Choose the kind of event" in summary and "Enter the date of the event" in summary
    response = submit(
        client,
        f"{base}/events/new",
        {"member_id": str(liam), "kind": "asb", **day("date", TODAY.replace(year=TODAY.year + 1))},
    )
    assert "Date of the event must be today or in the past" in error_summary(response)
    response = submit(
        client, f"{base}/events/new", {"member_id": str(liam), "kind": "asb", "date": ["31", "2", "2013"]}
    )
    assert "Date of the event must be a real date" in error_summary(response)
    # a member of another family is not one to choose
    response = submit(client, f"{base}/events/new", {"member_id": str(stranger), "kind": "asb", **day("date", ago(1))})
    assert response.status_code == 400
    assert f'value="{stranger}"' not in client.get(f"{base}/events/new").get_data(as_text=True)
    response = submit(
        client,
        f"{base}/spells/new",
        {"member_id": str(amy), "kind": "benefit", **day("start_date", ago(10)), **day("end_date", ago(20))},
    )
    summary = error_summary(response)
    assert "End date must be the same as or after the start date" in summary
    assert "Enter the benefit code in Detail, e.g. JSA" in summary
    with clean.app_context():
        assert db.session.scalars(select(Event)).all() == [] and db.session.scalars(select(Spell)).all() == []
    assert _audit(clean, "event.manual_create") == []


def test_evidence_is_corrected_with_before_and_after(client, make, clean):
    worker = make.user("coordinator")
    family, amy, liam = _family(make, clean, None)
    event_id = _event(clean, liam, reference="P1")
    spell_id = _spell(clean, amy)
    sign_in(client, worker.email)
    base = f"/families/{family.reference}/evidence"
    form = client.get(f"{base}/events/{event_id}")
    assert form.status_code == 200 and 'name="member_id"' not in form.get_data(as_text=True)
    response = submit(client, f"{base}/events/{event_id}", {"kind": "asb", **day("date", ago(31)), "detail": "ABC"})
    assert response.status_code == 302
    response = submit(
        client,
        f"{base}/spells/{spell_id}",
        {"kind": "benefit", **day("start_date", ago(300)), **day("end_date", ago(5)), "detail": "JSA"},
    )
    assert response.status_code == 302
    response = submit(
        client,
        f"{base}/spells/{spell_id}",
        {"kind": "benefit", **day("start_date", ago(300)), **day("end_date", ago(400)), "detail": "JSA"},
    )
    assert "End date must be the same as or after the start date" in error_summary(response)
    with clean.app_context():
        event = db.session.get(Event, event_id)
        assert (event.kind, event.date, event.detail, event.member_id, event.reference) == (
            "asb",
            ago(31),
            "ABC",
            liam,
            "P1",
        )
        assert db.session.get(Spell, spell_id).end_date == ago(5)
    (entry,) = _audit(clean, "event.manual_correct")
    assert entry.before == {"kind": "offence", "date": ago(30).isoformat(), "detail": ""}
    assert entry.after == {"kind": "asb", "date": ago(31).isoformat(), "detail": "ABC"}
    (entry,) = _audit(clean, "spell.manual_correct")
    assert entry.before == {"end_date": None} and entry.after == {"end_date": ago(5).isoformat()}


def test_another_familys_evidence_is_not_found(client, make, clean):
    worker, other_worker = make.user("lead_worker"), make.user("lead_worker")
    mine, _, my_child = _family(make, clean, worker.id)
    theirs, their_adult, their_child = _family(make, clean, other_worker.id)
    their_event, their_spell = _event(clean, their_child), _spell(clean, their_adult)
    sign_in(client, worker.email)
    args = {"reference": theirs.reference, "event_id": their_event, "spell_id": their_spell}
    with clean.test_request_context():
        urls = [
            url_for(rule.endpoint, **{a: args[a] for a in rule.arguments})
            for rule in clean.url_map.iter_rules()
            if rule.endpoint.startswith("family_evidence.")
        ]
    assert len(urls) == 5
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert post(client, url).status_code in (404, 405), url
    # their records under my family's address are not found either
    for url in (
        f"/families/{mine.reference}/evidence/events/{their_event}",
        f"/families/{mine.reference}/evidence/spells/{their_spell}",
    ):
        assert client.get(url).status_code == 404
        assert post(client, url, {"kind": "asb"}).status_code == 404
    with clean.app_context():
        assert db.session.get(Event, their_event).kind == "offence"


def test_only_case_workers_record(client, make, clean):
    family, amy, _ = _family(make, clean, None)
    spell_id = _spell(clean, amy)
    sign_in(client, make.user("coordinator").email)
    base = f"/families/{family.reference}/evidence"
    page = client.get(base)
    assert page.status_code == 200 and "JSA" in text(page)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, make.user("manager").email)
    # the partners' records are not a manager's to read (tff.cases.need_to_know): a reason first
    assert "/break-glass/evidence" in client.get(base).headers["Location"]
    for url in (f"{base}/events/new", f"{base}/spells/new", f"{base}/spells/{spell_id}"):
        assert client.get(url).status_code == 403
