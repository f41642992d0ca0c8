"""The family's "Results" section: the phase one results as of a date, for those who may see
the family, and a plain word for the families whose results are decided elsewhere."""

from datetime import date

from tests.case_work import error_summary, member, text
from tests.helpers import sign_in
from tff.evidence.models import AttendanceRecord, Event
from tff.extensions import db

#: example 1 of outcomes-phase1.md: five ASB incidents in the baseline window, one recent
BASELINE_ASB = ("2012-03-15", "2012-04-20", "2012-06-01", "2012-08-01", "2012-09-14")
RECENT_ASB = ("2013-05-10",)


def _example_1(clean, make, lead_worker_id):
    family = make.family(lead_worker_id=lead_worker_id, status="attached", attached_on=date(2012, 9, 15))
    parent = member(clean, family.id, "Pat", "Smith", date(1980, 2, 10), ref=f"{family.reference}-01")
    child = member(
        clean, family.id, "Cal", "Smith", date(2001, 5, 1), relationship="child", ref=f"{family.reference}-02"
    )
    with clean.app_context():
        for year, unauthorised in (("2011/12", 20), ("2012/13", 8)):
            for term in ("autumn", "spring", "summer"):
                db.session.add(
                    AttendanceRecord(
                        member_id=child, academic_year=year, term=term, possible=100, unauthorised=unauthorised
                    )
                )
        for day in BASELINE_ASB + RECENT_ASB:
            db.session.add(
                Event(member_id=parent, kind="asb", date=date.fromisoformat(day), source="police", detail="")
            )
        db.session.commit()
    return family


def _card(page: str, title: str) -> str:
    """The words of one result's card: from its title to the next card's."""
    start = page.index(title)
    ends = [page.find(other, start + 1) for other in ("Continuous employment", "Progress to work")]
    ends = [end for end in ends if end > start]
    return page[start : min(ends)] if ends else page[start:]


def test_example_1_is_met_and_claimable_at_700(client, make, clean):
    worker = make.user("lead_worker")
    family = _example_1(clean, make, worker.id)
    sign_in(client, worker.email)
    response = client.get(f"/families/{family.reference}/results?as_of=2013-07-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="/families/{family.reference}/results"' in html  # a section of the case
    page = text(response)
    assert "Results as of 31 July 2013" in page
    card = _card(page, "Crime, anti-social behaviour and education")
    assert "Met" in card and "Not met" not in card
    assert "Claimable: £700" in card
    assert "asb: relevant, met: 5 -> 1 (80%)" in card
    assert "unauthorised absence 20% -> 8%" in card
    assert "Continuous employment" in page and "Progress to work" in page
    assert page.count("What is still missing") == 3


def test_as_of_an_earlier_date_says_what_is_missing(client, make, clean):
    worker = make.user("lead_worker")
    family = _example_1(clean, make, worker.id)
    sign_in(client, worker.email)
    page = text(client.get(f"/families/{family.reference}/results?as_of=2013-03-31"))
    card = _card(page, "Crime, anti-social behaviour and education")
    assert "Not met" in card and "Not claimable" in card
    assert "one more term under 15% unauthorised absence for Cal Smith" in card


def test_the_date_defaults_to_today(client, make, clean):
    coordinator = make.user("coordinator")
    family = _example_1(clean, make, None)
    sign_in(client, coordinator.email)
    response = client.get(f"/families/{family.reference}/results")
    assert response.status_code == 200
    assert f'value="{date.today().isoformat()}"' in response.get_data(as_text=True)


def test_a_user_who_may_not_see_the_family_gets_404(client, make, clean):
    worker = make.user("lead_worker")
    stranger = make.user("lead_worker")
    family = _example_1(clean, make, worker.id)
    sign_in(client, stranger.email)
    assert client.get(f"/families/{family.reference}/results?as_of=2013-07-31").status_code == 404
    assert client.get("/families/NOSUCH/results").status_code == 404


def test_a_bad_date_is_an_error_not_a_crash(client, make, clean):
    worker = make.user("lead_worker")
    family = _example_1(clean, make, worker.id)
    sign_in(client, worker.email)
    for bad in ("2013-02-30", "yesterday", "31/07/2013"):
        response = client.get(f"/families/{family.reference}/results", query_string={"as_of": bad})
        assert response.status_code == 200  # a question asked again, as the audit page's filters are
        assert "Enter the as of date as a real date" in error_summary(response)
        assert "Claimable" not in text(response)


def test_an_unattached_family_is_told_it_has_no_results_yet(client, make, clean):
    worker = make.user("lead_worker")
    unattached = make.family(lead_worker_id=worker.id)
    sign_in(client, worker.email)
    response = client.get(f"/families/{unattached.reference}/results?as_of=2013-07-31")
    assert response.status_code == 200
    page = text(response)
    assert "A family has results once it is attached" in page
    assert "What is still missing" not in page


def test_a_phase_two_family_is_decided_by_its_outcome_plan(client, make, clean):
    from tff.cases.models import FamilyCriterion
    from tff.outcomes.plan_versions.operations import store_shipped

    worker = make.user("lead_worker")
    family = make.family(lead_worker_id=worker.id, programme="phase2", status="attached", attached_on=date(2015, 6, 1))
    with clean.app_context():
        for code in ("crime_asb", "domestic_abuse"):
            db.session.add(FamilyCriterion(family_id=family.id, kind="problem", code=code, source="imported"))
        db.session.commit()
    sign_in(client, worker.email)
    page = text(client.get(f"/families/{family.reference}/results?as_of=2016-06-30"))
    # None adopted yet: no results, and why.
    assert "No results: no outcome plan of phase2 is adopted: a manager adopts one at Outcome plans." in page
    assert "Significant and sustained progress" not in page
    with clean.app_context():
        store_shipped(None)
    page = text(client.get(f"/families/{family.reference}/results?as_of=2016-06-30"))
    assert "decided by Rotherham Family Outcomes Plan 2015 (version 1)" in page
    assert "Significant and sustained progress" in page
