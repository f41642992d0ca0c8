"""A claim line keeps the records its result was decided on, as they were when the claim was
assembled: the line's page shows them whatever changes afterwards, and the database refuses to
change a submitted claim's."""

from datetime import date, datetime

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from tests.case_work import text
from tests.helpers import sign_in
from tests.test_outcomes_cli import _example_one
from tff.cases.models import Family, FamilyCriterion
from tff.claims import operations as claims
from tff.claims.models import ClaimEvidence, ClaimLine, ClaimWindow
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.extensions import db
from tff.outcomes import evaluation as evaluations


def _assemble(app, submit: bool = True) -> int:
    """The 2013-07 window's claim assembled (again, when there is one), and submitted."""
    with app.app_context():
        window = db.session.scalar(select(ClaimWindow).where(ClaimWindow.name == "2013-07"))
        window = window or claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        assert claims.start_assembly(window, queue=False).state == "succeeded"
        if submit:
            claims.submit(window)
        return window.id


def _line_page(client, app, window_id: int, outcome: str = "crime_asb_education") -> str:
    with app.app_context():
        line_id = db.session.scalar(select(ClaimLine.id).where(ClaimLine.outcome == outcome))
    response = client.get(f"/claims/{window_id}/lines/{line_id}")
    assert response.status_code == 200
    return text(response)


def _change_the_records(app) -> None:
    """What a later import or correction might do: an incident removed, a term's figures put
    right, a benefit claim added (the result stays claimable)."""
    with app.app_context():
        first = db.session.scalar(select(Event.id).where(Event.date == date(2012, 3, 15)))
        db.session.execute(delete(Event).where(Event.id == first))
        db.session.execute(
            update(AttendanceRecord)
            .where(AttendanceRecord.academic_year == "2011/12", AttendanceRecord.term == "autumn")
            .values(unauthorised=1)
        )
        member_id = db.session.scalar(select(Event.member_id).limit(1))
        db.session.add(Spell(member_id=member_id, kind="benefit", detail="JSA", start_date=date(2013, 7, 2)))
        db.session.commit()


def _criteria(app, reference: str) -> None:
    """F001 carries youth crime (imported) and school attendance (confirmed by a person); the
    evidence suggested out-of-work benefits too, which nobody confirmed."""
    with app.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == reference))
        db.session.add_all(
            [
                FamilyCriterion(family_id=family_id, kind="national", code="crime_asb", source="imported"),
                FamilyCriterion(
                    family_id=family_id,
                    kind="national",
                    code="education",
                    source="confirmed",
                    confirmed_at=datetime(2012, 9, 1, 10, 0),
                ),
                FamilyCriterion(family_id=family_id, kind="national", code="work", source="evidence"),
            ]
        )
        db.session.commit()


def test_the_line_shows_the_records_it_was_decided_on_whatever_changes_after_submission(client, make, clean):
    _example_one(clean, "F001")
    _criteria(clean, "F001")
    window_id = _assemble(clean)
    sign_in(client, make.user("finance").email)
    before = _line_page(client, clean, window_id)
    assert "The records it was decided on" in before
    assert "The criteria the family met: Youth crime or anti-social behaviour (imported " in before
    assert "Poor school attendance or exclusions (confirmed 2012-09-01)" in before
    assert "Adults on out-of-work benefits" not in before
    assert "with evidence as of 31 Jul 2013" in before
    assert "F001-C Autumn 2011/12 100 20 0 20.0%" in before
    assert "F001-C Summer 2012/13 100 8 0 8.0%" in before
    assert "2012-03-15 F001-C Anti-social behaviour Police" in before
    assert before.count("Anti-social behaviour") == 6  # five before attachment, one after
    assert "JSA" not in before

    _change_the_records(clean)
    with clean.app_context():
        db.session.execute(delete(FamilyCriterion))
        db.session.commit()
    after = _line_page(client, clean, window_id)
    assert after == before
    # the family's own records did change: only the claim keeps them as they were
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 5


def test_the_database_refuses_to_change_a_submitted_claim_s_evidence(clean):
    _example_one(clean, "F001")
    _assemble(clean)
    with clean.app_context():
        kept = db.session.scalar(select(ClaimEvidence.evidence))
        for statement in ("UPDATE claim_evidence SET family_id = family_id", "DELETE FROM claim_evidence"):
            with pytest.raises(DBAPIError, match="the evidence of a submitted claim never changes"):
                db.session.execute(sql(statement))
            db.session.rollback()
        assert db.session.scalar(select(ClaimEvidence.evidence)) == kept


def test_a_draft_assembled_again_keeps_the_records_as_they_are_then(client, make, clean):
    _example_one(clean, "F001")
    window_id = _assemble(clean, submit=False)
    _change_the_records(clean)
    _assemble(clean, submit=False)
    sign_in(client, make.user("finance").email)
    page = _line_page(client, clean, window_id)
    assert "F001-C Autumn 2011/12 100 1 0 1.0%" in page
    assert "2012-03-15" not in page
    assert "F001-C Benefit: JSA 2013-07-02 Still open" in page


def test_the_records_are_kept_without_names_and_only_for_claimable_results(clean):
    _example_one(clean, "F001")
    _example_one(clean, "F002", asb_recent=3)  # ASB not down enough: nothing claimable
    _assemble(clean)
    with clean.app_context():
        # a cohort evaluation (no window) keeps nothing
        cohort = evaluations.create(date(2013, 7, 31))
        assert evaluations.start_evaluation(cohort, queue=False).state == "succeeded"
        kept = db.session.execute(select(ClaimEvidence.evidence)).scalars().all()
    assert [e["family_ref"] for e in kept] == ["F001"]
    evidence = kept[0]
    assert evidence["members"] == [{"person_ref": "F001-C", "date_of_birth": "2001-05-01"}]
    assert "Casey" not in str(evidence) and "Child" not in str(evidence)
    assert evidence["attached_on"] == "2012-09-15" and evidence["programme"] == "phase1"
    assert len(evidence["attendance"]) == 6 and len(evidence["events"]) == 6


def test_a_line_assembled_before_the_records_were_kept_says_so(client, make, clean):
    _example_one(clean, "F001")
    window_id = _assemble(clean, submit=False)
    with clean.app_context():
        db.session.execute(delete(ClaimEvidence))
        db.session.commit()
    sign_in(client, make.user("finance").email)
    page = _line_page(client, clean, window_id)
    assert "This line was assembled before the records were kept with each claim" in page


def test_retention_keeps_a_submitted_claim_s_records(client, make, clean):
    """The family closed long ago and its personal data removed: the claim's records stay."""
    from tff.cases.models import CLOSED, Member
    from tff.privacy import retention

    _example_one(clean, "F001")
    window_id = _assemble(clean)
    sign_in(client, make.user("finance").email)
    before = _line_page(client, clean, window_id)
    with clean.app_context():
        db.session.execute(
            update(Family).where(Family.reference == "F001").values(status=CLOSED, closed_on=date(2014, 3, 31))
        )
        db.session.commit()
        retention.anonymise()
        assert db.session.scalar(select(Member.first_name)) != "Casey"  # the family's own record is pared
    assert _line_page(client, clean, window_id) == before
