"""The phase one claim-history rules through real claim windows (worked examples 5 and 6 of
`outcomes-phase1.md`): what a family has claimed in one window decides what the next may."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.helpers import Maker
from tests.test_outcomes_cli import _example_one
from tff.cases.models import Member
from tff.claims import operations
from tff.claims.models import ClaimLine
from tff.evidence.models import Spell
from tff.extensions import db


def _adult_into_work(app, reference: str, family_id: int, *, programme_from: date | None, works_from: date) -> None:
    """An adult on ESA through attachment (out of work then), maybe on the Work Programme,
    then in work from `works_from`, still working."""
    with app.app_context():
        adult = Member(
            family_id=family_id,
            person_ref=f"{reference}-A",
            first_name="Alex",
            last_name="Adult",
            date_of_birth=date(1980, 1, 1),
        )
        db.session.add(adult)
        db.session.flush()
        spells = [("benefit", "ESA", date(2012, 1, 1), date(2012, 12, 31)), ("employment", "", works_from, None)]
        if programme_from:
            spells.append(("work_programme", "", programme_from, None))
        for kind, detail, start, end in spells:
            db.session.add(
                Spell(member_id=adult.id, kind=kind, detail=detail, start_date=start, end_date=end, source="dwp")
            )
        db.session.commit()


def _assemble(app, name: str, as_of: date, submit: bool = True) -> list[tuple]:
    with app.app_context():
        window = operations.create_window(name, as_of, sample_percent=0)
        job = operations.start_assembly(window, queue=False)
        assert job.state == "succeeded", job.message
        if submit:
            operations.submit(window)
        return [
            tuple(row)
            for row in db.session.execute(
                select(ClaimLine.family_ref, ClaimLine.outcome, ClaimLine.amount)
                .where(ClaimLine.batch_id == window.batch.id)
                .order_by(ClaimLine.outcome)
            )
        ]


@pytest.fixture
def example_six(clean):
    family = Maker(clean).family("F006", status="attached", attached_on=date(2012, 10, 1))
    _adult_into_work(clean, "F006", family.id, programme_from=date(2012, 11, 1), works_from=date(2013, 3, 1))
    return clean


def test_continuous_employment_after_progress_to_work_is_paid_the_difference(example_six):
    assert _assemble(example_six, "2013-02", date(2013, 2, 28)) == [("F006", "progress_to_work", 100)]
    # October: continuous employment is met; £800 less the £100 already claimed.
    assert _assemble(example_six, "2013-10", date(2013, 10, 31)) == [("F006", "continuous_employment", 700)]


def test_continuous_employment_after_crime_asb_education_is_not_claimed(clean):
    _example_one(clean, "F005")
    with clean.app_context():
        family_id = db.session.scalar(select(Member.family_id).where(Member.person_ref == "F005-C"))
    _adult_into_work(clean, "F005", family_id, programme_from=None, works_from=date(2013, 9, 1))
    assert _assemble(clean, "2013-07", date(2013, 7, 31)) == [("F005", "crime_asb_education", 700)]
    assert _assemble(clean, "2014-04", date(2014, 4, 30)) == []


def test_a_draft_of_another_window_counts_as_claimed_but_not_the_windows_own(example_six):
    assert _assemble(example_six, "2013-02", date(2013, 2, 28), submit=False) == [("F006", "progress_to_work", 100)]
    # Its own draft does not stop the window claiming again: the draft is replaced.
    with example_six.app_context():
        window = operations.get_window("2013-02")
        assert operations.start_assembly(window, queue=False).state == "succeeded"
        assert len(db.session.scalars(select(ClaimLine).where(ClaimLine.batch_id == window.batch.id)).all()) == 1
    # Another window sees the draft's claim.
    assert _assemble(example_six, "2013-03", date(2013, 3, 31), submit=False) == []
