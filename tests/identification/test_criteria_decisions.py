"""A coordinator decides a family's criteria on its page: the evidence's suggestions shown with
their evidence, confirmed or rejected (with a reason), a criterion the data does not show
recorded (with what shows it), one withdrawn; each audited, and eligibility judged on what was
decided, never on a suggestion alone."""

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from tests.case_work import audit_entries, error_summary, member, post, sign_in_as, text
from tests.helpers import sign_in, submit
from tests.identification.conftest import SUGGESTED_AS_OF
from tff.cases.models import Family, FamilyCriterion
from tff.cases.models.identification import FROM_EVIDENCE
from tff.evidence.models import Event
from tff.extensions import db
from tff.identification.models import RejectedCriterion

AS_OF = SUGGESTED_AS_OF


@pytest.fixture
def coordinator(client, make):
    user = make.user("coordinator", name="Cara Coordinator")
    sign_in(client, user.email)
    return user


def _row(response, code: str) -> str:
    """The words of the family page's row for this criterion."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<tr[^>]*data-code="{code}"[^>]*>.*?</tr>', html, re.S)
    assert match, f"no row for {code}"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(0)))).strip()


def _criteria(app, ref="F001"):
    with app.app_context():
        family = db.session.scalar(select(Family).where(Family.reference == ref))
        return {
            (c.kind, c.code): (c.source, c.confirmed_at is not None, c.note)
            for c in db.session.scalars(select(FamilyCriterion).where(FamilyCriterion.family_id == family.id))
        }


def test_the_family_page_shows_each_suggestion_with_its_evidence_and_not_yet_eligible(client, coordinator, suggested):
    response = client.get("/families/F001")
    page = text(response)
    assert "Not yet eligible on its confirmed criteria: it meets 0 of the 3 national criteria" in page
    assert "It would be eligible if the suggestions below were confirmed" in page
    assert "The evidence was read as of 15 Aug 2013" in page
    crime = _row(response, "crime_asb")
    assert "Suggested by the evidence" in crime and "E123" in crime and "2013-02-11" in crime
    assert "ESA" in _row(response, "work")
    assert "20" in _row(response, "education")
    assert "Not shown" in _row(response, "deprived_area")


def test_confirming_a_suggestion_counts_it_keeps_its_evidence_and_is_audited(client, clean, coordinator, suggested):
    done = post(client, "/families/F001/criteria/national/crime_asb/confirm")
    assert done.status_code == 302 and done.headers["Location"].endswith("/families/F001#criteria")
    source, confirmed, note = _criteria(clean)[("national", "crime_asb")]
    assert (source, confirmed) == (FROM_EVIDENCE, True) and "E123" in note
    [(summary, before, after, user_id)] = audit_entries(clean, "family.criterion.confirm", "F001")
    assert "Confirmed “Youth crime or anti-social behaviour” for family F001" in summary and "E123" in summary
    assert (before["confirmed"], after["confirmed"], user_id) == (False, True, coordinator.id)
    response = client.get("/families/F001")
    page = text(response)
    assert "Confirmed from the evidence by Cara Coordinator" in _row(response, "crime_asb")
    assert "meets 1 of the 3 national criteria (Youth crime or anti-social behaviour)" in page


def test_all_three_confirmed_make_the_family_eligible_and_attachable_without_a_reason(
    client, clean, coordinator, suggested
):
    for code in ("crime_asb", "education", "work"):
        assert post(client, f"/families/F001/criteria/national/{code}/confirm").status_code == 302
    assert "Eligible for Phase one (2012) on its confirmed criteria: it meets 3 of the 3" in text(
        client.get("/families/F001")
    )
    attach_form = text(client.get("/families/F001/attach"))
    assert "Why is the family being attached without meeting the criteria?" not in attach_form


def test_rejecting_needs_a_reason_then_keeps_it_with_the_evidence_and_never_counts(
    client, clean, coordinator, suggested
):
    url = "/families/F001/criteria/national/work/reject"
    form = text(client.get(url))
    assert "Reject the suggestion: Adults on out-of-work benefits" in form and "ESA from 2012-01-01" in form
    refused = submit(client, url, {"reason": "   "})
    assert "Say why the suggestion is rejected" in error_summary(refused)
    with clean.app_context():
        assert db.session.scalar(select(RejectedCriterion.id)) is None

    done = submit(client, url, {"reason": "The ESA claim was the grandmother's, who lives elsewhere"})
    assert done.status_code == 302
    with clean.app_context():
        rejection = db.session.scalar(select(RejectedCriterion))
        assert (rejection.kind, rejection.code) == ("national", "work")
        assert rejection.evidence == ["ESA from 2012-01-01"]
    [(summary, _, after, _)] = audit_entries(clean, "family.criterion.reject", "F001")
    assert "grandmother" in summary and after["rejected"].startswith("The ESA claim")
    response = client.get("/families/F001")
    page = text(response)
    row = _row(response, "work")
    assert "Rejected" in row and "Why: The ESA claim was the grandmother's" in row
    # the other two confirmed: two national criteria and no local filter, even "if confirmed"
    for code in ("crime_asb", "education"):
        post(client, f"/families/F001/criteria/national/{code}/confirm")
    response = client.get("/families/F001")
    page = text(response)
    assert "Not eligible for Phase one (2012) on its confirmed criteria: it meets 2 of the 3" in page


def test_a_rejection_outlives_the_suggestions_being_worked_out_again(client, clean, coordinator, suggested):
    submit(client, "/families/F001/criteria/national/work/reject", {"reason": "Not this household's claim"})
    again = clean.test_cli_runner().invoke(args=["identify", "--as-of", AS_OF, "--json"])
    assert again.exit_code == 0
    assert "Rejected" in _row(client.get("/families/F001"), "work")
    # confirming it after all takes the rejection back
    assert post(client, "/families/F001/criteria/national/work/confirm").status_code == 302
    with clean.app_context():
        assert db.session.scalar(select(RejectedCriterion.id)) is None
    assert _criteria(clean)[("national", "work")][:2] == (FROM_EVIDENCE, True)


def test_recording_a_local_filter_the_data_does_not_show_needs_what_shows_it(client, clean, coordinator, suggested):
    for code in ("crime_asb", "education"):
        post(client, f"/families/F001/criteria/national/{code}/confirm")
    url = "/families/F001/criteria/record"
    form = text(client.get(url))
    assert "Local filters: Lives in a deprived area" in form
    assert "Youth crime" not in form  # confirmed already: not offered again
    refused = submit(client, url, {"criteria": ["local:deprived_area"], "note": ""})
    assert "Say what shows the family meets them" in error_summary(refused)
    nothing = submit(client, url, {"note": "A home visit"})
    assert "Choose at least one criterion" in error_summary(nothing)
    unknown = submit(client, url, {"criteria": ["local:wizardry"], "note": "A home visit"})
    assert unknown.status_code == 200 and "not a valid choice" in error_summary(unknown)

    done = submit(client, url, {"criteria": ["local:deprived_area"], "note": "Housing officer's report, 3 March 2013"})
    assert done.status_code == 302
    assert _criteria(clean)[("local", "deprived_area")] == ("confirmed", True, "Housing officer's report, 3 March 2013")
    [(summary, *_)] = audit_entries(clean, "family.criterion.record", "F001")
    assert "Recorded “Lives in a deprived area” for family F001: Housing officer's report" in summary
    response = client.get("/families/F001")
    page = text(response)
    assert "Eligible for Phase one (2012) on its confirmed criteria" in page
    assert "Recorded by a person" in _row(response, "deprived_area")


def test_withdrawing_a_criterion_needs_a_reason_and_it_no_longer_counts(client, clean, coordinator, suggested):
    for code in ("crime_asb", "education", "work"):
        post(client, f"/families/F001/criteria/national/{code}/confirm")
    url = "/families/F001/criteria/national/education/withdraw"
    assert "Say why the criterion is withdrawn" in error_summary(submit(client, url, {"reason": ""}))
    assert submit(client, url, {"reason": "The absence was authorised after all"}).status_code == 302
    assert ("national", "education") not in _criteria(clean)
    [(summary, before, after, _)] = audit_entries(clean, "family.criterion.withdraw", "F001")
    assert "authorised after all" in summary and before["confirmed"] and not after["confirmed"]
    response = client.get("/families/F001")
    page = text(response)
    assert "Not yet eligible" in page and "Suggested by the evidence" in _row(response, "education")


def test_only_a_coordinator_decides_and_only_on_a_family_they_may_see(client, clean, make, suggested):
    worker = make.user("lead_worker")
    sign_in(client, worker.email)
    assert client.get("/families/F001/criteria/national/work/reject").status_code in (403, 404)
    assert post(client, "/families/F001/criteria/national/work/confirm").status_code in (403, 404)
    assert _criteria(clean) == {}
    sign_in_as(client, make.user("coordinator"))
    assert text(client.get("/families/F001")).count("Confirm") >= 3


def test_a_criterion_the_family_cannot_have_is_a_404_and_a_confirm_without_evidence_says_why(
    client, clean, coordinator, suggested
):
    assert client.get("/families/F001/criteria/national/wizardry/reject").status_code == 404
    assert client.get("/families/F001/criteria/problem/health/reject").status_code == 404
    # a local filter the evidence does not show cannot be "confirmed": it is recorded instead
    done = post(client, "/families/F001/criteria/local/benefit_cap/confirm", follow_redirects=True)
    assert "The evidence does not suggest the local filter “Affected by the benefit cap”" in text(done)
    assert _criteria(clean) == {}


def test_the_confirm_button_needs_its_csrf_token(client, clean, coordinator, suggested):
    response = client.post("/families/F001/criteria/national/work/confirm")
    assert response.status_code == 400
    assert _criteria(clean) == {}


def test_an_attached_family_shows_its_criteria_but_no_suggestions(client, clean, coordinator, make):
    attached = make.family("F002", status="attached", attached_on=date(2013, 1, 1), identified_on=date(2012, 12, 1))
    child = member(clean, attached.id, "Ash", "Child", date(2001, 5, 1), ref="F002-01")
    with clean.app_context():
        db.session.add(Event(member_id=child, kind="asb", date=date(2012, 11, 1), source="police"))
        db.session.add(FamilyCriterion(family_id=attached.id, kind="national", code="crime_asb", source="imported"))
        db.session.commit()
    response = client.get("/families/F002")
    page = text(response)
    assert "Imported" in _row(response, "crime_asb")
    assert "Suggested by the evidence" not in page and "The evidence was read" not in page


def test_a_family_with_no_evidence_says_so_and_is_not_eligible(client, coordinator, make):
    make.family("F003", identified_on=date(2013, 1, 1))
    page = text(client.get("/families/F003"))
    assert "No evidence yet: nothing can be suggested until the partners' data about its members arrives" in page
    assert "Not eligible for Phase one (2012) on its confirmed criteria: it meets 0 of the 3" in page
