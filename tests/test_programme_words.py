"""The pages people read say the programme's words, not the codes the product stores: the
rule set a result was decided by, the result, where evidence came from and what an audit entry
records. Each role reads every page of a small world it may open."""

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import update

from tests.helpers import Maker, sign_in, submit
from tests.test_outcomes_cli import _example_one
from tff.audit.operations import record
from tff.auth.roles import ALL
from tff.cases.models import Family, Member
from tff.claims import operations
from tff.claims.models import ClaimLine, ClaimWindow
from tff.evidence.models import Event
from tff.extensions import db
from tff.jobs.models import SUCCEEDED
from tff.outcomes import evaluation as evaluations
from tff.words import action_words, outcome_words, rule_set_words, source_words

CODES = re.compile(
    r"crime_asb_education|progress_to_work|continuous_employment|significant_sustained_progress"
    r"|\bphase1\b|asb_unit|social_care|caf\.action\.add|referrals\.new|claim_window\.create"
)


def visible_text(html: str) -> str:
    """What a reader sees: no head, scripts, `<code>` elements or tags; entities decoded."""
    html = re.sub(r"(?is)<(head|script|style|code)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"(?s)<[^>]+>", " ", html))


def test_the_words_for_the_codes():
    assert rule_set_words("phase1") == "Phase one rules"
    assert outcome_words("crime_asb_education") == "Crime, anti-social behaviour and education"
    assert source_words("asb_unit") == "ASB unit"
    assert source_words("social_care") == "Social care"
    assert source_words("youth_offending_team") == "Youth offending team"
    assert action_words("caf.action.add") == "Action added to the plan"
    assert action_words("something.new_here") == "Something new here"


@pytest.fixture
def world(clean, monkeypatch):
    """A phase one family with a claimable result claimed in a window, an ASB incident from
    the ASB unit, a cohort evaluation and audit entries; its lead worker may see it."""
    app = clean
    maker = Maker(app)
    lead = maker.user("lead_worker")
    _example_one(app, "F001")
    with app.app_context():
        family = db.session.scalar(db.select(Family).where(Family.reference == "F001"))
        family.lead_worker_id = lead.id
        child = db.session.scalar(db.select(Member).where(Member.family_id == family.id))
        db.session.add(
            Event(member_id=child.id, kind="asb", date=date(2012, 4, 2), source="asb_unit", reference="U1", detail="")
        )
        record("caf.action.add", "family", "F001", "An action for the plan")
        record("referrals.new", "family", "F001", "A referral")
        db.session.commit()
        evaluation = evaluations.create(date(2013, 7, 31))
        assert evaluations.start_evaluation(evaluation, queue=False).state == SUCCEEDED
        evaluation_id = evaluation.id

    real_start = operations.start_assembly

    def in_process(window, user=None, **kwargs):
        job = real_start(window, user, queue=False)
        assert job.state == SUCCEEDED, job.message
        return job

    monkeypatch.setattr(operations, "start_assembly", in_process)
    finance = app.test_client()
    sign_in(finance, maker.user("finance").email)
    response = submit(
        finance,
        "/claims/new",
        {
            "name": "2013-07",
            "as_of": ["31", "7", "2013"],
            "opens": ["1", "7", "2013"],
            "closes": ["31", "8", "2013"],
            "sample_percent": "100",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    window_url = response.headers["Location"]
    assert submit(finance, f"{window_url}/assemble", {}, form_url=window_url).status_code == 302
    assert submit(finance, f"{window_url}/sample", {}, form_url=window_url).status_code == 302
    with app.app_context():
        window_id = db.session.scalar(db.select(ClaimWindow.id))
        line_id = db.session.scalar(db.select(ClaimLine.id).where(ClaimLine.family_ref == "F001"))
        db.session.execute(update(Family).values(lead_worker_id=lead.id))
        db.session.commit()
    pages = [
        "/families/F001/results",
        "/families/F001/results?as_of=2013-07-31",
        "/families/F001/evidence",
        "/outcomes/",
        f"/outcomes/{evaluation_id}",
        f"/outcomes/{evaluation_id}/near-misses",
        "/claims/",
        f"/claims/{window_id}",
        f"/claims/{window_id}/lines/{line_id}",
        "/audit/",
    ]
    return app, maker, lead, pages


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_reads_words_not_codes(world, role):
    app, maker, lead, pages = world
    client = app.test_client()
    sign_in(client, lead.email if role == "lead_worker" else maker.user(role).email)
    read = 0
    for url in pages:
        response = client.get(url)
        if response.status_code in (302, 403, 404):
            continue  # a page this role may not open (or opens only by breaking the glass)
        assert response.status_code == 200, url
        text = visible_text(response.get_data(as_text=True))
        found = sorted(set(CODES.findall(text)))
        assert not found, f"{role} reads {found} on {url}"
        read += 1
    assert read, role
    if role in ("admin", "auditor"):
        text = visible_text(client.get("/audit/").get_data(as_text=True))
        assert "Action added to the plan" in text and "Referral made" in text
    if role in ("coordinator", "lead_worker"):
        text = visible_text(client.get("/families/F001/evidence").get_data(as_text=True))
        assert "ASB unit" in text
        text = visible_text(client.get("/families/F001/results?as_of=2013-07-31").get_data(as_text=True))
        assert "decided by Phase one rules" in text
    if role == "finance":
        text = visible_text(client.get(pages[-2]).get_data(as_text=True))
        assert "Phase one rules" in text and "Crime, anti-social behaviour and education" in text
