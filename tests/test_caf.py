"""The Family CAF, used through its pages by a lead worker: consent, the assessment of strengths
and needs, priorities, screenings, the action plan, and Team Around the Family meetings and
reviews; what is overdue appears on the plan, the family page and the home pages, and goes."""

import re
from datetime import date

import pytest
from flask import render_template
from sqlalchemy import select

from tests.case_work import (
    TODAY,
    ago,
    ahead,
    audit_entries,
    count,
    day,
    error_summary,
    member,
    post,
    sign_in_as,
    taf_member,
    text,
)
from tests.helpers import sign_in, submit
from tff.cases.caf.models import Action, ActionUpdate, Assessment, CafConsent, Screening, TafMeeting
from tff.extensions import db

NO_CONSENT = "The family has not given consent to the Family CAF, or has withdrawn it"


@pytest.fixture
def worker(client, make):
    """A lead worker, signed in, who leads family F1."""
    user = make.user("lead_worker", name="Lena Worker")
    user.family = make.family("F1", lead_worker_id=user.id, status="attached", attached_on=ago(200))
    sign_in(client, user.email)
    return user


# --- Consent -------------------------------------------------------------------------------


def test_consent_is_recorded_shown_and_withdrawn_with_a_warning_while_there_is_none(client, app, worker):
    mother = member(app, worker.family.id, "Jane", "Smith", date(1980, 3, 1))
    assert NO_CONSENT in text(client.get("/families/F1/caf"))
    assert NO_CONSENT in text(client.get("/families/F1/plan"))
    assert NO_CONSENT in text(client.get("/families/F1/meetings"))

    refused = submit(client, "/families/F1/caf/consent", {"given_by": "0", **day("given_on", ahead(1))})
    problems = error_summary(refused)
    assert "Enter the name of the person who gave consent, or choose a family member" in problems
    assert "The date consent was given must be today or in the past" in problems
    assert "Choose at least one agency the family agreed to share information with, or name one" in problems
    assert "Choose at least one kind of information the family agreed to share" in problems
    assert count(app, CafConsent) == 0

    response = submit(
        client,
        "/families/F1/caf/consent",
        {
            "given_by": str(mother),
            **day("given_on", ago(30)),
            "agencies": ["schools", "dwp"],
            "other_agencies": "Wiseability",
            "information": ["education", "work_money"],
        },
    )
    assert response.status_code == 302
    page = text(client.get("/families/F1/caf"))
    assert NO_CONSENT not in page
    assert "Jane Smith" in page and "Schools and education services" in page and "Wiseability" in page
    assert NO_CONSENT not in text(client.get("/families/F1/plan"))
    [(summary, _before, after, user_id)] = audit_entries(app, "caf.consent.give", "F1")
    assert "consent given by Jane Smith" in summary and user_id == worker.id
    assert after["agencies"] == ["schools", "dwp"] and after["given_on"] == ago(30).isoformat()

    with app.app_context():
        consent_id = db.session.scalar(select(CafConsent.id))
    url = f"/families/F1/caf/consent/{consent_id}/withdraw"
    refused = submit(client, url, {**day("withdrawn_on", ago(31)), "note": ""})
    assert "The date consent was withdrawn must be on or after the day it was given" in error_summary(refused)
    assert "Say how the family withdrew consent" in error_summary(refused)
    submit(client, url, {**day("withdrawn_on", ago(2)), "note": "Jane phoned: no more sharing with DWP"})
    page = text(client.get("/families/F1/caf"))
    assert NO_CONSENT in page and "no more sharing with DWP" in page
    [(_s, before, after, _u)] = audit_entries(app, "caf.consent.withdraw", "F1")
    assert before == {"withdrawn_on": None, "withdrawn_note": None}
    assert after["withdrawn_on"] == ago(2).isoformat()
    # Withdrawn once, it cannot be withdrawn again.
    again = submit(client, url, {**day("withdrawn_on", TODAY), "note": "again"})
    assert "This consent was already withdrawn" in error_summary(again)


def test_consent_from_a_member_of_another_family_is_refused(client, app, make, worker):
    other = make.family("F2")
    stranger = member(app, other.id, "Sam", "Other", date(1975, 1, 1))
    response = submit(
        client,
        "/families/F1/caf/consent",
        {"given_by": str(stranger), **day("given_on", TODAY), "agencies": ["schools"], "information": ["education"]},
    )
    assert "Choose a member of this family" in error_summary(response)
    assert 'href="#given_by"' in response.get_data(as_text=True)
    assert count(app, CafConsent) == 0


# --- Assessment ----------------------------------------------------------------------------


def _scores(**scores) -> dict:
    data = {}
    for domain, value in scores.items():
        score, *words = value if isinstance(value, tuple) else (value,)
        data[f"score_{domain}"] = str(score)
        if words:
            data[f"strengths_{domain}"], data[f"needs_{domain}"] = words
    return data


def test_assessment_scores_each_domain_1_to_4_and_says_what_is_wrong(client, app, worker):
    url = "/families/F1/caf/assessments/new"
    response = submit(client, url, {**day("assessed_on", TODAY), **_scores(housing=5)})
    assert "The score for Housing must be 1, 2, 3 or 4, not 5" in error_summary(response)
    response = submit(client, url, {**day("assessed_on", TODAY), "strengths_parenting": "Warm and consistent"})
    assert "Choose a score from 1 to 4 for Parenting" in error_summary(response)
    response = submit(client, url, {**day("assessed_on", TODAY)})
    assert "Score at least one domain from 1 to 4" in error_summary(response)
    response = submit(client, url, {**day("assessed_on", ahead(3)), **_scores(housing=2)})
    assert "The date of the assessment must be today or in the past" in error_summary(response)
    assert count(app, Assessment) == 0


def test_a_new_assessment_keeps_the_earlier_ones_and_shows_the_changes(client, app, worker):
    url = "/families/F1/caf/assessments/new"
    first = {
        **day("assessed_on", ago(90)),
        **_scores(
            school=(1, "Likes the catering teacher", "Attends 60% of sessions"),
            housing=(3, "Settled tenancy", "Under-occupancy charge risk"),
            mental_health=2,
        ),
        "summary": "A close family under strain.",
    }
    assert submit(client, url, first).status_code == 302
    # The form for the next assessment starts from the last one's answers.
    form = client.get(url).get_data(as_text=True)
    assert "Attends 60% of sessions" in form
    checked = re.findall(r'<input[^>]*name="score_(\w+)"[^>]*value="(\d)"[^>]*checked', form)
    assert sorted(checked) == [("housing", "3"), ("mental_health", "2"), ("school", "1")]
    second = {**day("assessed_on", ago(5)), **_scores(school=(3, "Back at school", "Needs college place"), housing=2)}
    assert submit(client, url, second).status_code == 302

    with app.app_context():
        found = db.session.scalars(select(Assessment).order_by(Assessment.assessed_on)).all()
        assert [a.assessed_on for a in found] == [ago(90), ago(5)]
        assert {s.domain: s.score for s in found[0].scores} == {"school": 1, "housing": 3, "mental_health": 2}
        assert {s.domain: s.score for s in found[1].scores} == {"school": 3, "housing": 2}

    page = text(client.get("/families/F1/caf/assessments"))
    assert "Better by 2" in page and "Worse by 1" in page
    assert "Attends 60% of sessions" in page and "Needs college place" in page
    overview = text(client.get("/families/F1/caf"))
    assert "3 – Coping" in overview and "Better by 2" in overview
    entries = audit_entries(app, "caf.assessment.record", "F1")
    assert [e[2]["scores"] for e in entries] == [
        {"school": 1, "housing": 3, "mental_health": 2},
        {"school": 3, "housing": 2},
    ]


# --- Priorities ----------------------------------------------------------------------------


def test_the_familys_priorities_and_the_programmes_are_kept_apart_in_order(client, app, worker):
    url = "/families/F1/caf/priorities"
    submit(
        client,
        url,
        {
            "family": "K finishes his YOT order\n\nA smooth move from school to college\nHelp with housing",
            "programme": "Reduce anti-social behaviour\nImprove attendance\nInto work",
        },
    )
    html = client.get("/families/F1/caf").get_data(as_text=True)
    family_list = html[html.index("tff-priorities-family") : html.index("</ol>", html.index("tff-priorities-family"))]
    programme_list = html[html.index("tff-priorities-programme") :]
    programme_list = programme_list[: programme_list.index("</ol>")]
    assert family_list.index("K finishes") < family_list.index("smooth move") < family_list.index("housing")
    assert "anti-social" not in family_list
    assert "Reduce anti-social behaviour" in programme_list and "YOT" not in programme_list
    [(_s, before, after, _u)] = audit_entries(app, "caf.priorities.set", "F1")
    assert before == {"family": [], "programme": []}
    assert after["family"] == ["K finishes his YOT order", "A smooth move from school to college", "Help with housing"]

    # Reordering keeps the new order.
    submit(client, url, {"family": "Help with housing\nK finishes his YOT order", "programme": "Into work"})
    html = client.get("/families/F1/caf").get_data(as_text=True)
    assert html.index("Help with housing") < html.index("K finishes his YOT order")
    too_many = submit(client, url, {"family": "\n".join(f"Priority {n}" for n in range(11)), "programme": ""})
    assert "Keep to the 10 most important priorities; there are 11" in error_summary(too_many)


# --- Screenings ----------------------------------------------------------------------------


def _answers(kind: str, answer="no", **overrides) -> dict:
    from tff.cases.caf.models import SCREENINGS

    return {f"q_{code}": overrides.get(code, answer) for code in SCREENINGS[kind]["questions"]}


def test_screenings_record_every_answer_the_outcome_and_who_completed_them(client, app, worker):
    child = member(app, worker.family.id, "Kyle", "Smith", date(2001, 5, 1), "child")
    page = text(client.get("/families/F1/caf"))
    assert (
        "Not done Drug and alcohol screening" in page and "Not done Child sexual exploitation (CSE) screening" in page
    )

    url = "/families/F1/caf/screenings/cse/new"
    partial = _answers("cse")
    del partial["q_cars"]
    response = submit(client, url, {**day("completed_on", TODAY), "member": str(child), **partial})
    problems = error_summary(response)
    assert "Answer yes, no or not known: Is any child picked up or dropped off in cars" in problems
    assert "Choose the outcome of the screening" in problems
    response = submit(
        client,
        url,
        {
            **day("completed_on", TODAY),
            "member": str(child),
            **_answers("cse", missing="yes", older_associates="yes"),
            "outcome": "referral_made",
        },
    )
    assert "Say who the concern was referred to" in error_summary(response)
    assert count(app, Screening) == 0

    response = submit(
        client,
        url,
        {
            **day("completed_on", ago(1)),
            "member": str(child),
            **_answers("cse", missing="yes", older_associates="not_known"),
            "outcome": "referral_made",
            "outcome_note": "Referred to the multi-agency CSE team",
            "completed_with": "YOT case manager",
        },
    )
    assert response.status_code == 302
    submit(
        client,
        "/families/F1/caf/screenings/substance/new",
        {**day("completed_on", TODAY), "member": "0", **_answers("substance"), "outcome": "no_concern"},
    )
    with app.app_context():
        cse = db.session.scalar(select(Screening).where(Screening.kind == "cse"))
        assert cse.answers["missing"] == "yes" and cse.answers["older_associates"] == "not_known"
        assert (cse.member_id, cse.by_id, cse.completed_on) == (child, worker.id, ago(1))
        cse_id = cse.id
    page = text(client.get(f"/families/F1/caf/screenings/{cse_id}"))
    assert "Kyle Smith" in page and "Concern – referral made" in page and "multi-agency CSE team" in page
    assert "by Lena Worker, with YOT case manager" in page
    overview = text(client.get("/families/F1/caf"))
    assert "Not done" not in overview and "No concern" in overview
    [(summary, _b, after, _u)] = audit_entries(app, "caf.screening.cse", "F1")
    assert "concern – referral made" in summary and after["answers"]["missing"] == "yes"
    assert audit_entries(app, "caf.screening.substance", "F1")
    assert client.get("/families/F1/caf/screenings/gambling/new").status_code == 404


# --- The action plan and what is overdue ---------------------------------------------------


def _overview_flag(app, reference: str) -> str:
    """The overdue block the family's overview page includes."""
    from tff.cases.models import Family

    with app.test_request_context():
        family = db.session.scalar(select(Family).where(Family.reference == reference))
        html = render_template("cases/caf/_overdue.html", family=family)
        return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_actions_are_checked_added_changed_and_their_history_kept(client, app, worker):
    url = "/families/F1/plan/new"
    response = submit(
        client, url, {"description": "Attend college interview", **day("agreed_on", ago(3)), **day("due_on", ago(10))}
    )
    problems = error_summary(response)
    assert f"The due date must be on or after the date the action was agreed ({ago(3):%-d %B %Y})" in problems
    assert "Say who will do it: a person or an agency" in problems
    response = submit(client, url, {"description": "", "owner": "K", **day("agreed_on", TODAY)})
    assert "Describe the action" in error_summary(response) and "Enter the date the action is due" in error_summary(
        response
    )
    assert count(app, Action) == 0

    submit(
        client,
        url,
        {
            "description": "Attend college interview",
            "owner": "Child K with Connexions",
            "owner_user": str(worker.id),
            "domain": "school",
            **day("agreed_on", ago(3)),
            **day("due_on", ahead(14)),
        },
    )
    with app.app_context():
        action = db.session.scalar(select(Action))
        assert (action.status, action.domain, action.owner_user_id) == ("not_started", "school", worker.id)
        action_id = action.id
    plan = text(client.get("/families/F1/plan"))
    assert "Attend college interview" in plan and "Need: School attendance and learning" in plan
    assert "Child K with Connexions – Lena Worker" in plan and "Overdue" not in plan

    edit = f"/families/F1/plan/{action_id}"
    submit(
        client,
        edit,
        {
            "description": "Attend college interview at RCAT",
            "owner": "Child K",
            "owner_user": "0",
            "domain": "school",
            "status": "in_progress",
            **day("agreed_on", ago(3)),
            **day("due_on", ahead(7)),
        },
    )
    response = submit(client, edit, {"description": "x", "owner": "y", "status": "forgotten", **day("due_on", TODAY)})
    assert "Choose the status of the action" in error_summary(response)
    with app.app_context():
        updates = db.session.execute(
            select(ActionUpdate.from_status, ActionUpdate.to_status).order_by(ActionUpdate.id)
        ).all()
        assert updates == [(None, "not_started"), ("not_started", "in_progress")]
    [(_s, before, after, _u)] = audit_entries(app, "caf.action.update", "F1")
    assert before["status"] == "not_started" and after["status"] == "in_progress"
    assert before["due_on"] == ahead(14).isoformat() and after["due_on"] == ahead(7).isoformat()
    assert audit_entries(app, "caf.action.add", "F1")


def test_an_overdue_action_is_flagged_on_the_plan_the_family_page_and_the_home_pages_until_done(
    client, app, make, worker
):
    coordinator = make.user("coordinator")
    other_worker = make.user("lead_worker")
    submit(
        client,
        "/families/F1/plan/new",
        {
            "description": "Book GP appointment",
            "owner": "Adult H",
            **day("agreed_on", ago(20)),
            **day("due_on", ago(2)),
        },
    )
    submit(
        client,
        "/families/F1/plan/new",
        {
            "description": "Apply for nursery place",
            "owner": "Adult H",
            **day("agreed_on", ago(20)),
            **day("due_on", TODAY),
        },
    )
    with app.app_context():
        late = db.session.scalar(select(Action.id).where(Action.description == "Book GP appointment"))

    plan = text(client.get("/families/F1/plan"))
    assert "1 action is overdue" in plan and plan.count("Overdue") == 1
    assert "1 overdue action in the plan" in _overview_flag(app, "F1")
    home = text(client.get("/"))
    assert "Overdue actions and reviews" in home and "Book GP appointment" in home
    assert "Apply for nursery place" not in home  # due today: not overdue yet

    sign_in_as(client, other_worker)
    assert "Book GP appointment" not in text(client.get("/"))
    sign_in_as(client, coordinator)
    home = text(client.get("/"))
    assert "Book GP appointment" in home and "Lena Worker" in home

    sign_in_as(client, worker)
    response = post(client, f"/families/F1/plan/{late}/done")
    assert response.status_code == 302
    plan = text(client.get("/families/F1/plan"))
    assert "overdue" not in plan.lower()
    assert _overview_flag(app, "F1") == ""
    assert "Nothing is overdue" in text(client.get("/"))
    [(summary, before, after, _u)] = audit_entries(app, "caf.action.done", "F1")
    assert (before["status"], after["status"], after["completed_on"]) == ("not_started", "done", TODAY.isoformat())
    # Done once, it cannot be done again.
    again = post(client, f"/families/F1/plan/{late}/done", follow_redirects=True)
    assert "The action is already done" in text(again)


def test_nothing_is_overdue_in_a_closed_case(client, app, make, worker):
    closed = make.family("F9", lead_worker_id=worker.id, status="closed", closed_on=ago(1))
    with app.app_context():
        db.session.add(
            Action(family_id=closed.id, description="Old action", owner="x", agreed_on=ago(60), due_on=ago(30))
        )
        db.session.commit()
    assert "Old action" not in text(client.get("/"))
    assert _overview_flag(app, "F9") == ""


# --- Team Around the Family meetings and reviews -------------------------------------------


def test_meetings_and_reviews_set_the_next_review_and_an_overdue_review_is_flagged_until_held(
    client, app, make, worker
):
    school = taf_member(app, worker.family.id, "Mrs Ahmed", "Aston Academy")
    yot = taf_member(app, worker.family.id, "Dan Price", "Youth offending service")
    elsewhere = taf_member(app, make.family("F2").id, "Not on this team")

    url = "/families/F1/meetings/new"
    response = submit(
        client,
        url,
        {**day("held_on", ago(40)), "attendees": [str(school), str(elsewhere)], "decisions": "Plan agreed"},
    )
    assert "Choose attendees from the family's Team Around the Family" in error_summary(response)
    response = submit(client, url, {**day("held_on", ago(40)), "decisions": "", **day("next_review_on", ago(41))})
    problems = error_summary(response)
    assert "Say who attended" in problems and "Record what the meeting decided" in problems
    assert f"The next review date must be after the meeting ({ago(40):%-d %B %Y})" in problems
    assert count(app, TafMeeting) == 0

    submit(
        client,
        url,
        {
            **day("held_on", ago(40)),
            "attendees": [str(school), str(yot)],
            "other_attendees": "Adult H (mother)\nChild K",
            "decisions": "K to attend college interviews.\nH to see the Wiseability adviser.",
            **day("next_review_on", ago(10)),
        },
    )
    page = text(client.get("/families/F1/meetings"))
    assert "Mrs Ahmed, Aston Academy" in page and "Dan Price" in page and "Adult H (mother)" in page
    assert f"The review is overdue: it was due on {ago(10).day} {ago(10):%b %Y}" in page
    assert "The review was due on" in _overview_flag(app, "F1")
    home = text(client.get("/"))
    assert "Review" in home and f"{ago(10).day} {ago(10):%b %Y}" in home
    [(_s, _b, after, _u)] = audit_entries(app, "caf.meeting.record", "F1")
    assert after["attendees"] == ["Dan Price", "Mrs Ahmed"] and after["next_review_on"] == ago(10).isoformat()

    # A review held since the due date clears the flag and sets the next one.
    response = submit(client, "/families/F1/reviews/new", {**day("reviewed_on", TODAY), "summary": ""})
    assert "Summarise the review" in error_summary(response)
    submit(
        client,
        "/families/F1/reviews/new",
        {**day("reviewed_on", ago(1)), "summary": "K has a college place.", **day("next_review_on", ahead(30))},
    )
    page = text(client.get("/families/F1/meetings"))
    assert "overdue" not in page.lower() and f"Next review due on {ahead(30).day} {ahead(30):%b %Y}" in page
    assert page.index("K has a college place") < page.index("K to attend college interviews")
    assert _overview_flag(app, "F1") == ""
    assert "Nothing is overdue" in text(client.get("/"))
    assert audit_entries(app, "caf.review.record", "F1")


def test_a_meeting_after_a_review_without_a_next_date_is_what_counts(app, make):
    """The latest meeting or review decides: an earlier missed date no longer counts."""
    from tff.cases.caf import overdue
    from tff.cases.caf.models import CaseReview
    from tff.cases.models import Family

    one, two = make.family("F1", status="attached"), make.family("F2", status="attached")
    with app.app_context():
        db.session.add_all(
            [
                TafMeeting(family_id=one.id, held_on=ago(50), decisions="d", next_review_on=ago(20)),
                CaseReview(family_id=one.id, reviewed_on=ago(30), summary="s"),
                TafMeeting(family_id=two.id, held_on=ago(50), decisions="d", next_review_on=ago(20)),
                CaseReview(family_id=two.id, reviewed_on=ago(60), summary="before", next_review_on=ago(55)),
            ]
        )
        db.session.commit()
        assert overdue.reviews_due(select(Family), TODAY) == {two.id: ago(20)}
