"""Suggestions worked out again when new evidence of a family's members arrives: after an
import commits its rows, and after evidence recorded by hand, as of the date the family's
suggestions were worked out (not today), only for families identified and not attached, and
never at the cost of the evidence itself."""

from datetime import date

from sqlalchemy import select

from tests.case_work import day, member
from tests.helpers import Maker, sign_in, submit
from tests.imports_support import csv_bytes, run_import
from tff.cases.models import Member
from tff.evidence.models import Event, Spell
from tff.extensions import db
from tff.identification import job as identification
from tff.identification.models import IdentificationSuggestion
from tff.jobs.operations import start

AS_OF = date(2013, 8, 14)
EVENTS = ["person_ref", "kind", "date", "reference", "source", "detail"]


def _person(family_id: int, ref: str, born: date) -> int:
    person = Member(family_id=family_id, person_ref=ref, first_name="A", last_name=ref, date_of_birth=born)
    db.session.add(person)
    db.session.flush()
    return person.id


def _cohort(app) -> dict[str, int]:
    """F001: a child P1C and a parent P1P on ESA since 2012 (work, as of AS_OF and today alike).
    F002: attached, a child P2C. F003: identified, a parent P3P, no evidence."""
    make = Maker(app)
    ids = {ref: make.family(ref, identified_on=date(2013, 1, 1)).id for ref in ("F001", "F003")}
    ids["F002"] = make.family("F002", status="attached", attached_on=date(2013, 1, 1)).id
    with app.app_context():
        _person(ids["F001"], "P1C", date(2001, 5, 1))
        parent = _person(ids["F001"], "P1P", date(1980, 5, 1))
        db.session.add(Spell(member_id=parent, kind="benefit", detail="ESA", start_date=date(2012, 1, 1), source="dwp"))
        _person(ids["F002"], "P2C", date(2001, 5, 1))
        _person(ids["F003"], "P3P", date(1980, 5, 1))
        db.session.commit()
    return ids


def _identify(app, as_of: date = AS_OF) -> None:
    with app.app_context():
        done = start(identification.JOB_KIND, identification.title(as_of), {"as_of": as_of.isoformat()}, queue=False)
        assert done.state == "succeeded", done.message


def _suggested(app, family_id: int) -> dict[str, tuple[date, list[str]]]:
    with app.app_context():
        query = select(IdentificationSuggestion).where(IdentificationSuggestion.family_id == family_id)
        return {s.code: (s.as_of, list(s.evidence)) for s in db.session.scalars(query)}


def _asb(*people: str) -> bytes:
    rows = [
        {"person_ref": ref, "kind": "asb", "date": "2013-02-11", "reference": f"E{n}", "source": "police"}
        for n, ref in enumerate(people, start=123)
    ]
    return csv_bytes(EVENTS, rows)


def test_an_events_import_suggests_again_as_of_the_familys_date_with_the_event_as_evidence(clean):
    ids = _cohort(clean)
    _identify(clean)
    assert _suggested(clean, ids["F001"]) == {"work": (AS_OF, ["ESA from 2012-01-01"])}

    run = run_import(clean, "events", _asb("P1C"))

    assert run.state == "succeeded" and run.accepted == 1
    # As of the date the family was worked out on: as of today the ASB of 2013 is long past.
    assert _suggested(clean, ids["F001"]) == {
        "crime_asb": (AS_OF, ["asb 2013-02-11 (police E123)"]),
        "work": (AS_OF, ["ESA from 2012-01-01"]),
    }
    assert run.result["suggested_again"] == 1
    assert "suggested criteria of 1 family identified and not attached were worked out again" in run.message


def test_a_family_without_suggestions_takes_the_date_of_the_latest_run(clean):
    ids = _cohort(clean)
    _identify(clean, date(2013, 3, 1))
    _identify(clean)
    assert _suggested(clean, ids["F003"]) == {}

    run_import(clean, "events", _asb("P3P"))

    assert _suggested(clean, ids["F003"]) == {"crime_asb": (AS_OF, ["asb 2013-02-11 (police E123)"])}


def test_an_attached_family_is_not_touched(clean):
    ids = _cohort(clean)
    _identify(clean)

    run = run_import(clean, "events", _asb("P2C", "P1C"))

    assert run.accepted == 2
    assert _suggested(clean, ids["F002"]) == {}
    assert run.result["suggested_again"] == 1  # F001 alone


def test_a_dry_run_changes_nothing(clean):
    ids = _cohort(clean)
    _identify(clean)

    run = run_import(clean, "events", _asb("P1C"), dry_run=True)

    assert run.state == "succeeded" and run.accepted == 1
    assert _suggested(clean, ids["F001"]) == {"work": (AS_OF, ["ESA from 2012-01-01"])}
    assert "suggested_again" not in run.result and "worked out again" not in run.message


def test_a_failure_to_suggest_again_leaves_the_import_committed_and_says_so(clean, monkeypatch):
    ids = _cohort(clean)
    _identify(clean)

    def broken(*args, **kwargs):
        raise RuntimeError("the rules are broken")

    monkeypatch.setattr(identification, "work_out", broken)
    run = run_import(clean, "events", _asb("P1C"))

    assert run.state == "succeeded" and run.accepted == 1
    with clean.app_context():
        assert db.session.scalar(select(Event.reference)) == "E123"
    assert _suggested(clean, ids["F001"]) == {"work": (AS_OF, ["ESA from 2012-01-01"])}
    assert "could not be worked out again" in run.message and "the rules are broken" in run.message
    assert "the rules are broken" in run.result["suggested_again_problem"]
    page_text = _import_page(clean, run.id)
    assert "could not be worked out again" in page_text and "the rules are broken" in page_text


def _import_page(app, run_id: int) -> str:
    client = app.test_client()
    coordinator = Maker(app).user("coordinator")
    sign_in(client, coordinator.email)
    page = client.get(f"/imports/{run_id}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_import_page_says_how_many_families_were_worked_out_again(clean):
    _cohort(clean)
    _identify(clean)
    run = run_import(clean, "events", _asb("P1C", "P3P"))
    assert 'data-suggested-again="2"' in _import_page(clean, run.id)


def test_evidence_recorded_by_hand_suggests_the_family_again(client, make, clean):
    worker = make.user("lead_worker")
    family = make.family("F010", lead_worker_id=worker.id, identified_on=date(2013, 1, 1))
    child = member(clean, family.id, "Liam", "Smith", date(2003, 2, 1), relationship="child", ref="F010-02")
    _identify(clean)
    assert _suggested(clean, family.id) == {}

    sign_in(client, worker.email)
    response = submit(
        client,
        f"/families/{family.reference}/evidence/events/new",
        {"member_id": str(child), "kind": "asb", **day("date", date(2013, 2, 11)), "detail": ""},
    )

    assert response.status_code == 302
    assert _suggested(clean, family.id) == {"crime_asb": (AS_OF, ["asb 2013-02-11 (manual)"])}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "suggested criteria have been worked out again" in page
