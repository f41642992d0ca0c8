"""Eligibility at attachment: one rule (phase one's three national criteria, or two and a local
filter; phase two's two headline problems; Supporting Families' three), judged on the family's
confirmed criteria. A family that is not eligible is attached only with the coordinator's
reason, which is audited and shown on the family, its claim lines and the funding tables."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.case_work import audit_entries, error_summary, record_criteria, sign_in_as, text
from tests.helpers import sign_in, submit
from tff.cases.eligibility import NATIONAL, judge
from tff.cases.models import Family, FamilyCriterion, FamilyStatusChange, Member
from tff.cases.models.identification import CRITERIA
from tff.claims import operations as claims
from tff.claims.models import ClaimLine
from tff.evidence.models import AttendanceRecord, Event
from tff.extensions import db

CRIME, EDUCATION, WORK = "crime_asb", "education", [c for c in NATIONAL if c not in ("crime_asb", "education")][0]
LOCALS = sorted(CRITERIA["local"])


def _date(name: str, day: date) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


# --- the rule ------------------------------------------------------------------------------------


def test_phase_one_with_all_three_national_criteria_is_eligible():
    result = judge("phase1", {"national": {CRIME, EDUCATION, WORK}})
    assert result.eligible
    assert result.why == f"meets 3 of the 3 national criteria ({', '.join(sorted([CRIME, EDUCATION, WORK]))})"


def test_phase_one_with_two_national_criteria_and_a_local_filter_is_eligible():
    result = judge("phase1", {"national": {CRIME, WORK}, "local": {"deprived_area"}})
    assert result.eligible
    assert (
        result.why
        == f"meets 2 of the 3 national criteria ({', '.join(sorted([CRIME, WORK]))}) and 1 local filter (deprived_area)"
    )


def test_phase_one_with_two_national_criteria_and_no_local_filter_is_not_eligible():
    result = judge("phase1", {"national": {CRIME, WORK}})
    assert not result.eligible
    assert result.why == f"meets 2 of the 3 national criteria ({', '.join(sorted([CRIME, WORK]))}) and no local filter"


def test_phase_one_with_one_national_criterion_and_two_local_filters_is_not_eligible():
    result = judge("phase1", {"national": {EDUCATION}, "local": {"deprived_area", "benefit_cap"}})
    assert not result.eligible
    assert "meets 1 of the 3 national criteria (education) and 2 local filters" in result.why


def test_headline_problems_are_not_national_criteria():
    # a phase one family's problem codes, even the national ones' names, do not count
    assert not judge("phase1", {"problem": {CRIME, EDUCATION, WORK}}).eligible


@pytest.mark.parametrize(
    "programme, problems, eligible",
    [
        ("phase2", {"crime_asb"}, False),
        ("phase2", {"crime_asb", "health"}, True),
        ("supporting_families", {"crime", "health"}, False),
        ("supporting_families", {"crime", "health", "housing"}, True),
    ],
)
def test_later_programmes_count_headline_problems(programme, problems, eligible):
    result = judge(programme, {"problem": problems, "local": {"deprived_area"}})
    assert result.eligible is eligible
    needed = 2 if programme == "phase2" else 3
    assert f"has {len(problems)} headline problem" in result.why and f"{needed} or more are needed" in result.why


@given(
    programme=st.sampled_from(["phase1", "phase2", "supporting_families"]),
    national=st.sets(st.sampled_from(NATIONAL)),
    problems=st.sets(st.sampled_from(sorted(CRITERIA["problem"]))),
    local=st.sets(st.sampled_from(LOCALS)),
    extra=st.tuples(st.sampled_from(["national", "problem", "local"]), st.sampled_from(NATIONAL + tuple(LOCALS))),
)
def test_one_more_confirmed_criterion_never_makes_an_eligible_family_ineligible(
    programme, national, problems, local, extra
):
    codes = {"national": national, "problem": problems, "local": local}
    more = {kind: set(values) for kind, values in codes.items()}
    more[extra[0]].add(extra[1])
    if judge(programme, codes).eligible:
        assert judge(programme, more).eligible


# --- attaching -----------------------------------------------------------------------------------


def _identified_family_with_results(app, make, reference: str, criteria: dict | None = None) -> int:
    """Identified 2012-09-01, to be attached 2012-09-15; a child with 20% absence over the
    baseline terms and 8% after, 5 ASB incidents before and one after: crime/ASB and education
    results as of 2013-07-31."""
    family = make.family(reference, status="identified", identified_on=date(2012, 9, 1))
    with app.app_context():
        for kind, codes in (criteria or {}).items():
            for code in codes:
                db.session.add(FamilyCriterion(family_id=family.id, kind=kind, code=code, source="confirmed"))
        child = Member(
            family_id=family.id,
            person_ref=f"{reference}-C",
            first_name="Casey",
            last_name="Child",
            date_of_birth=date(2001, 5, 1),
        )
        db.session.add(child)
        db.session.flush()
        terms = [("2011/12", t, 20) for t in ("autumn", "spring", "summer")]
        terms += [("2012/13", t, 8) for t in ("autumn", "spring", "summer")]
        for year, term, absent in terms:
            db.session.add(
                AttendanceRecord(
                    member_id=child.id, academic_year=year, term=term, possible=100, unauthorised=absent, school=""
                )
            )
        for day in [date(2012, 3, 15), date(2012, 5, 1), date(2012, 6, 1), date(2012, 8, 1), date(2012, 9, 14)]:
            db.session.add(Event(member_id=child.id, kind="asb", date=day, source="police", detail=""))
        db.session.add(Event(member_id=child.id, kind="asb", date=date(2013, 5, 10), source="police", detail=""))
        db.session.commit()
    return family.id


def _family(app, reference: str) -> Family:
    with app.app_context():
        family = db.session.scalar(select(Family).where(Family.reference == reference))
        db.session.expunge(family)
        return family


def test_a_family_with_no_criteria_is_refused_with_the_reason_and_nothing_changes(client, make, clean):
    sign_in(client, make.user("coordinator").email)
    _identified_family_with_results(clean, make, "F000045")
    form = client.get("/families/F000045/attach")
    assert "Why is the family being attached without meeting the criteria?" in text(form)
    assert "it meets 0 of the 3 national criteria and no local filter" in text(form)

    refused = submit(client, "/families/F000045/attach", _date("attached_on", date(2012, 9, 15)))
    assert refused.status_code == 200
    assert (
        "Family F000045 is not eligible for Phase one (2012) on its confirmed criteria: it meets 0 of the 3 "
        "national criteria and no local filter. Confirm its criteria, or say why it is being attached anyway"
    ) in error_summary(refused)
    family = _family(clean, "F000045")
    assert (family.status, family.attached_on, family.attach_override_reason) == ("identified", None, None)
    assert audit_entries(clean, "family.attach") == []
    with clean.app_context():
        assert (
            db.session.scalars(
                select(FamilyStatusChange.to_status).where(FamilyStatusChange.family_id == family.id)
            ).all()
            == []
        )

    # a blank reason is no reason
    blank = submit(
        client, "/families/F000045/attach", {**_date("attached_on", date(2012, 9, 15)), "override_reason": "   "}
    )
    assert "not eligible" in error_summary(blank)
    assert _family(clean, "F000045").status == "identified"


def test_two_national_criteria_without_a_local_filter_are_refused_and_with_one_attached(client, make, clean):
    sign_in(client, make.user("coordinator").email)
    _identified_family_with_results(clean, make, "F000046", {"national": [CRIME, EDUCATION]})
    refused = submit(client, "/families/F000046/attach", _date("attached_on", date(2012, 9, 15)))
    assert (
        "meets 2 of the 3 national criteria (Poor school attendance or exclusions, Youth crime or anti-social "
        "behaviour) and no local filter"
    ) in error_summary(refused)

    record_criteria(client, "F000046", "local", ["deprived_area"])
    form = client.get("/families/F000046/attach")
    assert "Why is the family being attached without meeting the criteria?" not in text(form)
    done = submit(client, "/families/F000046/attach", _date("attached_on", date(2012, 9, 15)))
    assert done.status_code == 302
    family = _family(clean, "F000046")
    assert (family.status, family.attach_override_reason) == ("attached", None)
    assert "Attached without meeting the criteria" not in text(client.get("/families/F000046"))


def test_an_override_is_recorded_audited_and_shown_wherever_the_money_is(client, make, clean):
    coordinator = make.user("coordinator", name="Cara Coordinator")
    sign_in(client, coordinator.email)
    family_id = _identified_family_with_results(clean, make, "F000045")
    reason = "Known to the police panel; referred by the school before the data arrived"
    done = submit(
        client, "/families/F000045/attach", {**_date("attached_on", date(2012, 9, 15)), "override_reason": reason}
    )
    assert done.status_code == 302, error_summary(done)
    family = _family(clean, "F000045")
    assert (family.status, family.attached_on, family.attach_override_reason) == (
        "attached",
        date(2012, 9, 15),
        reason,
    )
    assert family.attach_override_by_id == coordinator.id
    [(summary, _before, after, user_id)] = audit_entries(clean, "family.attach")
    assert after["attach_override_reason"] == reason
    assert after["eligibility"] == "meets 0 of the 3 national criteria and no local filter"
    assert user_id == coordinator.id
    assert summary == (
        "Attached family F000045 on 15 September 2012 without meeting the criteria "
        f"(it meets 0 of the 3 national criteria and no local filter): {reason}"
    )

    today = date.today()
    page = text(client.get("/families/F000045"))
    assert f"Attached without meeting the criteria: {reason}, by Cara Coordinator on {today.day} {today:%b %Y}" in page

    # the claim: its window marks the family's lines, each line says so
    with clean.app_context():
        window = claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
        assert claims.start_assembly(window, queue=False).state == "succeeded"
        window_id = window.id
        line_ids = db.session.scalars(select(ClaimLine.id).where(ClaimLine.family_id == family_id)).all()
    assert line_ids, "the family has results to claim"
    sign_in_as(client, make.user("finance"))
    window_page = client.get(f"/claims/{window_id}")
    assert "1 family in this claim was attached without meeting the criteria" in text(window_page)
    assert window_page.get_data(as_text=True).count('tff-override"') == len(line_ids)
    line_page = text(client.get(f"/claims/{window_id}/lines/{line_ids[0]}"))
    assert f"Eligibility Attached without meeting the criteria: {reason}" in line_page

    # the funding tables count it beside the attachment fees
    funding = client.get("/funding/")
    assert "Families attached 1 (1 attached on an override, without meeting the criteria)" in text(funding)
    years = client.get("/funding/progress.csv").get_data(as_text=True).splitlines()
    header = years[0].split(",")
    row = years[1].split(",")
    assert header[5] == "families_attached" and header[7] == "families_on_override"
    assert row[:2] == ["Phase one (2012)", "2012/13"] and row[5] == "1" and row[7] == "1"


def test_an_eligible_family_is_not_counted_as_an_override(client, make, clean):
    sign_in(client, make.user("manager").email)
    make.family("F1", status="attached", attached_on=date(2012, 9, 15))
    funding = client.get("/funding/")
    assert "attached on an override" not in text(funding)
    assert client.get("/funding/progress.csv").get_data(as_text=True).splitlines()[1].split(",")[7] == "0"


def test_the_operation_refuses_without_a_reason_and_keeps_one_given(clean, make):
    from tff.auth.models import User
    from tff.cases import operations
    from tff.cases.operations import CaseError

    coordinator = make.user("coordinator")
    make.family("F2", programme="phase2", status="identified", identified_on=date(2016, 1, 4))
    with clean.app_context():
        family = db.session.scalar(select(Family).where(Family.reference == "F2"))
        user = db.session.get(User, coordinator.id)
        with pytest.raises(CaseError) as refused:
            operations.attach(family, date(2016, 2, 1), user)
        assert "has 0 headline problems, and 2 or more are needed" in str(refused.value)
        db.session.rollback()
        operations.attach(family, date(2016, 2, 1), user, override="Agreed at the panel")
        assert db.session.get(Family, family.id).attach_override_reason == "Agreed at the panel"


# --- the worklist ----------------------------------------------------------------------------------


def test_the_worklist_lists_only_families_eligible_under_the_rule(client, make, clean):
    sign_in(client, make.user("coordinator").email)
    cases = {
        "W3": {"national": [CRIME, EDUCATION, WORK]},  # all three
        "W2L": {"national": [CRIME, WORK], "local": ["deprived_area"]},  # two and a local filter
        "W2": {"national": [CRIME, WORK]},  # two, no local filter
        "W1LL": {"national": [EDUCATION], "local": ["deprived_area", "benefit_cap"]},  # one and two local
    }
    for reference, criteria in cases.items():
        family = make.family(reference, status="identified", identified_on=date(2013, 1, 1))
        with clean.app_context():
            for kind, codes in criteria.items():
                for code in codes:
                    db.session.add(FamilyCriterion(family_id=family.id, kind=kind, code=code, source="confirmed"))
            db.session.commit()
    html = client.get("/identification/").get_data(as_text=True)
    listed = {ref for ref in cases if f'href="/families/{ref}"' in html}
    assert listed == {"W3", "W2L"}
    assert "phase one needs all three national criteria, or two of them and a local filter" in text(
        client.get("/identification/")
    )


# --- the demo ------------------------------------------------------------------------------------


def test_every_attached_demo_family_is_eligible_on_its_confirmed_criteria(clean, make):
    """Phase one's national criteria come in no import: the demo confirms them in the product
    and attaches its phase one families there, so none is attached without meeting the criteria."""
    from tff.auth.models import User
    from tff.cases.eligibility import family_eligibility
    from tff.jobs.operations import start
    from tff.outcomes.plan_versions.operations import store_shipped

    coordinator = make.user("coordinator")
    make.user("manager")
    with clean.app_context():
        store_shipped(db.session.get(User, coordinator.id))
        job = start("demo.load", "Load the demo cohort", {"families": 40}, queue=False)
        assert job.state == "succeeded", job.message
        attached = db.session.scalars(select(Family).where(Family.attached_on.is_not(None))).all()
        assert sum(1 for f in attached if f.programme == "phase1") >= 10
        not_eligible = [
            (f.reference, family_eligibility(f).why) for f in attached if not family_eligibility(f).eligible
        ]
        assert not_eligible == []
        assert all(f.attach_override_reason is None for f in attached)
