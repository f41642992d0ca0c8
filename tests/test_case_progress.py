"""Case notes (facts and opinion apart), the family's one timeline, and access: every case
work page of a family a lead worker may not see is a 404, and so is every record reached
through another family's address."""

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from tests.case_work import TODAY, ago, audit_entries, count, day, error_summary, post, taf_member, text
from tests.helpers import csrf_token, sign_in, submit
from tff.cases.progress.models import CaseNote
from tff.extensions import db


@pytest.fixture
def worker(client, make):
    user = make.user("lead_worker", name="Lena Worker")
    user.family = make.family("F1", lead_worker_id=user.id, status="attached", attached_on=ago(200))
    sign_in(client, user.email)
    return user


# --- Case notes ----------------------------------------------------------------------------


def test_a_note_keeps_facts_and_opinion_apart_and_says_what_is_missing(client, app, worker):
    url = "/families/F1/notes/new"
    response = submit(client, url, {**day("contact_on", date(2099, 1, 1)), "facts": "  "})
    problems = error_summary(response)
    assert "The date of the contact must be today or in the past" in problems
    assert "Choose the kind of contact: a visit, a phone call, a meeting or other" in problems
    assert "Record what happened: the facts of the contact" in problems
    assert count(app, CaseNote) == 0

    response = submit(
        client,
        url,
        {
            **day("contact_on", ago(1)),
            "kind": "visit",
            "facts": "Home visit. Adult H and Child K present. K showed me his college offer letter.",
            "opinion": "K seems more hopeful than at any time this year.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        note = db.session.scalar(select(CaseNote))
        assert (note.kind, note.contact_on, note.author_id) == ("visit", ago(1), worker.id)
        assert note.facts.startswith("Home visit") and note.opinion.startswith("K seems")
        note_id = note.id

    for page in (client.get("/families/F1/notes"), client.get(f"/families/F1/notes/{note_id}")):
        html = page.get_data(as_text=True)
        facts = html[html.index("tff-note__facts") : html.index("tff-note__opinion")]
        opinion = html[html.index("tff-note__opinion") :]
        assert "college offer letter" in facts and "more hopeful" not in facts
        assert "more hopeful" in opinion and "college offer letter" not in opinion
        assert "Written by Lena Worker" in text(page)
    [(summary, _b, after, user_id)] = audit_entries(app, "note.add", "F1")
    assert "visit" in summary and user_id == worker.id
    assert after["facts"].startswith("Home visit") and after["opinion"].startswith("K seems")


def test_notes_are_the_case_workers_and_other_roles_give_a_reason_to_read_them(client, app, make, worker):
    submit(client, "/families/F1/notes/new", {**day("contact_on", TODAY), "kind": "phone", "facts": "Called H."})
    finance = make.user("finance")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, finance.email)
    page = client.get("/families/F1/notes")
    assert page.status_code == 302 and "/break-glass/case_work" in page.headers["Location"]
    assert "Called H." not in text(page)
    assert client.get("/families/F1/notes/new").status_code == 403
    assert client.get("/families/F1/plan/new").status_code == 403
    assert client.get("/families/F1/referrals/new").status_code == 403


# --- The timeline --------------------------------------------------------------------------


def _titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    found = re.findall(r'<h3 class="govuk-heading-s tff-timeline__title">(.*?)</h3>', html, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", t)).split()) for t in found]


def _dates(response) -> list[str]:
    return re.findall(r'<time datetime="([\d-]+)">', response.get_data(as_text=True))


def test_the_timeline_merges_every_source_newest_first_and_filters_by_kind(client, app, make, worker):
    from tff.auth.models import User
    from tff.cases import operations as case_operations
    from tff.cases.models import Family, FamilyStatusChange

    admin = make.user("admin")
    with app.app_context():
        db.session.add(
            FamilyStatusChange(family_id=worker.family.id, to_status="attached", effective_on=ago(200), by_id=admin.id)
        )
        db.session.commit()
        family = db.session.get(Family, worker.family.id)
        family.lead_worker_id = None
        case_operations.assign_lead_worker(
            family, db.session.get(User, worker.id), ago(150), "Knows the family", db.session.get(User, admin.id)
        )
    yot = taf_member(app, worker.family.id, "Dan Price", "YOT")

    submit(client, "/families/F1/notes/new", {**day("contact_on", ago(9)), "kind": "visit", "facts": "First visit."})
    submit(
        client,
        "/families/F1/meetings/new",
        {
            **day("held_on", ago(8)),
            "attendees": [str(yot)],
            "decisions": "Plan agreed.",
            **day("next_review_on", ago(1)),
        },
    )
    submit(
        client,
        "/families/F1/plan/new",
        {"description": "See the GP", "owner": "H", **day("agreed_on", ago(7)), **day("due_on", TODAY)},
    )
    with app.app_context():
        from tff.cases.caf.models import Action

        action_id = db.session.scalar(select(Action.id))
    post(client, f"/families/F1/plan/{action_id}/done")  # done today
    submit(client, "/families/F1/reviews/new", {**day("reviewed_on", ago(3)), "summary": "Good progress."})
    submit(
        client,
        "/families/F1/level",
        {"to_level": "cin_plan", **day("changed_on", ago(6)), "note": "Social worker allocated"},
    )
    with app.app_context():
        from tff.cases.referrals.models import Provider

        db.session.add(Provider(name="YWCA", service_type="family_support", capacity=10))
        db.session.commit()
        provider_id = db.session.scalar(select(Provider.id))
    submit(
        client,
        "/families/F1/referrals/new",
        {"provider": str(provider_id), **day("requested_on", ago(5)), "reason": "Hands-on support"},
    )
    submit(client, "/families/F1/caf/assessments/new", {**day("assessed_on", ago(4)), "score_housing": "2"})

    response = client.get("/families/F1/timeline")
    titles = _titles(response)
    assert titles == [
        "Action done",
        "Review",
        "Family CAF assessment",
        "Referred to YWCA",
        "Level of support: Child in Need plan",
        "Action added to the plan",
        "Team Around the Family meeting",
        "Case note: visit",
        "Lena Worker became lead worker",
        "Case attached",
    ]
    dates = _dates(response)
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == TODAY.isoformat() and dates[-1] == ago(200).isoformat()
    page = text(response)
    assert "First visit." in page and "Attended: Dan Price" in page and "By Lena Worker" in page

    assert _titles(client.get("/families/F1/timeline?kind=note")) == ["Case note: visit"]
    assert _titles(client.get("/families/F1/timeline?kind=action")) == ["Action done", "Action added to the plan"]
    assert _titles(client.get("/families/F1/timeline?kind=referral")) == ["Referred to YWCA"]
    assert _titles(client.get("/families/F1/timeline?kind=nonsense")) == titles
    filter_options = re.findall(r'<option value="(\w+)"', response.get_data(as_text=True))
    assert {"note", "meeting", "review", "action", "status", "lead_worker", "referral", "level"} <= set(filter_options)


def test_a_new_source_joins_the_timeline_by_registering(client, app, worker):
    """Evidence (attendance, incidents, spells) and results will register their own sources."""
    from tff.cases.progress import timeline

    @timeline.source("asb", "Anti-social behaviour incidents")
    def incidents(family):
        yield timeline.Entry(on=ago(2), kind="asb", title=f"ASB incident near {family.reference}'s home")

    try:
        submit(client, "/families/F1/notes/new", {**day("contact_on", ago(3)), "kind": "other", "facts": "Letter."})
        response = client.get("/families/F1/timeline")
        assert _titles(response) == ["ASB incident near F1's home", "Case note: other"]
        assert '<option value="asb"' in response.get_data(as_text=True)
        assert _titles(client.get("/families/F1/timeline?kind=asb")) == ["ASB incident near F1's home"]
    finally:
        del timeline.SOURCES["asb"]


# --- Access --------------------------------------------------------------------------------

#: the blueprints of the case work pages
CASE_WORK = ("caf.", "progress.", "referrals.")
#: a value for each argument a case work address takes, other than the family's reference
FIXED = {"kind": "cse", "step": "accept"}


def _case_work_rules(app):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(CASE_WORK) and "reference" in rule.arguments
    ]
    assert len(rules) >= 20
    return rules


def _records(app, make, family_id: int, user_id: int) -> dict[str, int]:
    """One record of every kind a case work address names, in this family."""
    from tff.cases.caf.models import Action, CafConsent, Screening
    from tff.cases.referrals.models import Provider, Referral, ReferralTransition

    with app.app_context():
        provider = db.session.scalar(select(Provider)) or Provider(name="YWCA", service_type="family_support")
        records = {
            "consent_id": CafConsent(
                family_id=family_id, given_by_name="H", given_on=ago(5), agencies=[], information=[]
            ),
            "screening_id": Screening(family_id=family_id, kind="cse", completed_on=ago(5), outcome="no_concern"),
            "action_id": Action(family_id=family_id, description="A", owner="H", agreed_on=ago(5), due_on=ago(1)),
            "note_id": CaseNote(family_id=family_id, contact_on=ago(5), kind="visit", facts="F", author_id=user_id),
            "referral_id": Referral(family_id=family_id, provider=provider, reason="R", requested_on=ago(5)),
        }
        db.session.add_all(records.values())
        db.session.flush()
        db.session.add(
            ReferralTransition(referral_id=records["referral_id"].id, to_state="requested", on=ago(5), by_id=user_id)
        )
        db.session.commit()
        return {name: record.id for name, record in records.items()}


def _url(rule, reference: str, records: dict[str, int]) -> str:
    values = {"reference": reference}
    for arg in rule.arguments - {"reference"}:
        assert arg in FIXED or arg in records, f"the access test does not know {arg!r} of {rule.endpoint}: add it"
        values[arg] = FIXED.get(arg, records.get(arg))
    return rule.build(values, append_unknown=False)[1]


def test_every_case_work_address_of_a_family_a_lead_worker_may_not_see_is_a_404(client, app, make, worker):
    other_worker = make.user("lead_worker")
    theirs = make.family("F2", lead_worker_id=other_worker.id)
    mine = _records(app, make, worker.family.id, worker.id)
    their_records = _records(app, make, theirs.id, other_worker.id)
    token = csrf_token(client, "/")

    checked = 0
    for rule in _case_work_rules(app):
        # A family the worker does not lead, with its own records: nothing to see.
        url = _url(rule, "F2", their_records)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 404, f"{method} {url} ({rule.endpoint}) answered {response.status_code}"
            checked += 1
        # The worker's own family: the same page works (so the 404 above is the scoping's).
        own = _url(rule, "F1", mine)
        if "GET" in rule.methods:
            assert client.get(own).status_code == 200, f"GET {own} ({rule.endpoint})"
    assert checked >= 30


def test_a_record_of_another_family_is_a_404_through_a_family_the_worker_leads(client, app, make, worker):
    """A worker who leads two families cannot reach one family's record through the other's address."""
    second = make.family("F3", lead_worker_id=worker.id)
    mine = _records(app, make, worker.family.id, worker.id)
    second_records = _records(app, make, second.id, worker.id)
    token = csrf_token(client, "/")
    checked = 0
    for rule in _case_work_rules(app):
        if not rule.arguments & set(mine):
            continue
        url = _url(rule, "F1", second_records)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 404, f"{method} {url} ({rule.endpoint}) answered {response.status_code}"
            checked += 1
        assert client.get(_url(rule, "F3", second_records)).status_code in (200, 405)
    assert checked >= 8


def test_a_colleague_on_the_team_around_the_family_may_see_the_case_work(client, app, make, worker):
    colleague = make.user("lead_worker")
    taf_member(app, worker.family.id, "Colleague", user_id=colleague.id)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, colleague.email)
    assert client.get("/families/F1/timeline").status_code == 200
    assert client.get("/families/F1/caf").status_code == 200
