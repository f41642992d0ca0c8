"""Changing a family's Family CAF. Each function checks the change, makes it, writes the audit
trail in the same transaction and commits; a refused change raises CaseError (keyed by the
form field at fault) and changes nothing."""

from datetime import date

from sqlalchemy import select

from tff.cases.caf.models import (
    ACTION_STATUSES,
    AGENCIES,
    ANSWERS,
    DOMAINS,
    DONE,
    DROPPED,
    INFORMATION,
    NOT_STARTED,
    OPEN_ACTION_STATUSES,
    PRIORITY_OWNERS,
    SCORES,
    SCREENING_OUTCOMES,
    SCREENINGS,
    Action,
    ActionUpdate,
    Assessment,
    AssessmentScore,
    CafConsent,
    CaseReview,
    Priority,
    Screening,
    TafMeeting,
)
from tff.cases.casework import audit, check_date
from tff.cases.models import Family, Member, TafMember
from tff.cases.operations import CaseError
from tff.extensions import db

#: the most priorities in each list
MAX_PRIORITIES = 10


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _member_of(family: Family, member: Member | None) -> Member | None:
    if member is not None and member.family_id != family.id:
        raise CaseError({"given_by": "Choose a member of this family"})
    return member


# --- Consent -------------------------------------------------------------------------------


def current_consent(family: Family) -> CafConsent | None:
    """The latest consent the family has given and not withdrawn."""
    return db.session.scalar(
        select(CafConsent)
        .where(CafConsent.family_id == family.id, CafConsent.withdrawn_on.is_(None))
        .order_by(CafConsent.given_on.desc(), CafConsent.id.desc())
        .limit(1)
    )


def record_consent(
    family: Family,
    by,
    given_on: date | None,
    member: Member | None,
    given_by_name: str | None,
    agencies: list[str],
    other_agencies: str | None,
    information: list[str],
) -> CafConsent:
    problems = {}
    member = _member_of(family, member)
    if member is None and not _text(given_by_name):
        problems["given_by_name"] = "Enter the name of the person who gave consent, or choose a family member"
    if given_on is None:
        problems["given_on"] = "Enter the date consent was given"
    check_date(problems, "given_on", given_on, "The date consent was given")
    unknown = set(agencies) - set(AGENCIES) or set(information) - set(INFORMATION)
    if unknown:
        problems["agencies"] = f"Unknown choices: {', '.join(sorted(unknown))}"
    elif not agencies and not _text(other_agencies):
        problems["agencies"] = "Choose at least one agency the family agreed to share information with, or name one"
    if not information:
        problems["information"] = "Choose at least one kind of information the family agreed to share"
    if problems:
        raise CaseError(problems)
    consent = CafConsent(
        family_id=family.id,
        given_by_member_id=member.id if member else None,
        given_by_name=None if member else _text(given_by_name),
        given_on=given_on,
        agencies=[code for code in AGENCIES if code in agencies],
        other_agencies=_text(other_agencies),
        information=[code for code in INFORMATION if code in information],
        recorded_by_id=by.id,
    )
    consent.given_by_member = member
    db.session.add(consent)
    db.session.flush()
    audit(
        family,
        "caf.consent.give",
        f"Recorded consent given by {consent.given_by} for family {family.reference}",
        by,
        after=consent.audit_state(),
    )
    db.session.commit()
    return consent


def withdraw_consent(family: Family, consent: CafConsent, by, withdrawn_on: date | None, note: str | None):
    problems = {}
    if consent.withdrawn_on:
        problems["withdrawn_on"] = f"This consent was already withdrawn on {consent.withdrawn_on:%-d %B %Y}"
    elif withdrawn_on is None:
        problems["withdrawn_on"] = "Enter the date consent was withdrawn"
    else:
        check_date(
            problems,
            "withdrawn_on",
            withdrawn_on,
            "The date consent was withdrawn",
            consent.given_on,
            "the day it was given",
        )
    if not _text(note):
        problems["note"] = "Say how the family withdrew consent and what they asked for"
    if problems:
        raise CaseError(problems)
    before = consent.audit_state()
    consent.withdrawn_on, consent.withdrawn_note, consent.withdrawn_by_id = withdrawn_on, _text(note), by.id
    audit(
        family,
        "caf.consent.withdraw",
        f"Recorded that consent given by {consent.given_by} for family {family.reference} was withdrawn",
        by,
        before=before,
        after=consent.audit_state(),
    )
    db.session.commit()
    return consent


# --- Assessment ----------------------------------------------------------------------------


def record_assessment(family: Family, by, assessed_on: date | None, domains: dict, summary: str | None) -> Assessment:
    """A new assessment. `domains` maps a domain code to {score, strengths, needs}; a domain
    with no score and no words is left out. Earlier assessments stay as they were."""
    problems = {}
    if assessed_on is None:
        problems["assessed_on"] = "Enter the date of the assessment"
    check_date(problems, "assessed_on", assessed_on, "The date of the assessment")
    scored = {}
    for code, label in DOMAINS.items():
        entry = domains.get(code) or {}
        raw = entry.get("score")
        strengths, needs = _text(entry.get("strengths")), _text(entry.get("needs"))
        if raw in (None, ""):
            if strengths or needs:
                problems[f"score_{code}"] = f"Choose a score from 1 to 4 for {label}"
            continue
        try:
            score = int(raw)
        except (TypeError, ValueError):
            score = None
        if score not in SCORES:
            problems[f"score_{code}"] = f"The score for {label} must be 1, 2, 3 or 4, not {raw}"
            continue
        scored[code] = (score, strengths, needs)
    unknown = set(domains) - set(DOMAINS)
    if unknown:
        problems["assessed_on"] = f"Unknown domains: {', '.join(sorted(unknown))}"
    if not scored and not problems:
        problems[f"score_{next(iter(DOMAINS))}"] = "Score at least one domain from 1 to 4"
    if problems:
        raise CaseError(problems)
    assessment = Assessment(family_id=family.id, assessed_on=assessed_on, summary=_text(summary), by_id=by.id)
    db.session.add(assessment)
    for code, (score, strengths, needs) in scored.items():
        assessment.scores.append(AssessmentScore(domain=code, score=score, strengths=strengths, needs=needs))
    db.session.flush()
    audit(
        family,
        "caf.assessment.record",
        f"Recorded a Family CAF assessment of family {family.reference} ({assessed_on:%-d %B %Y})",
        by,
        after={"assessed_on": assessed_on, "scores": {code: s[0] for code, s in scored.items()}},
    )
    db.session.commit()
    return assessment


def assessments(family: Family) -> list[Assessment]:
    """Every assessment of the family, newest first."""
    return db.session.scalars(
        select(Assessment)
        .where(Assessment.family_id == family.id)
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    ).all()


def score_history(newest_first: list[Assessment]) -> list[dict]:
    """Each assessment's scores with the change since the domain was last scored:
    [{assessment, scores: {domain: (score, change or None)}}], newest first."""
    rows, last = [], {}
    for assessment in reversed(newest_first):
        scores = {}
        for s in assessment.scores:
            scores[s.domain] = (s.score, s.score - last[s.domain] if s.domain in last else None)
            last[s.domain] = s.score
        rows.append({"assessment": assessment, "scores": scores})
    return rows[::-1]


# --- Priorities ----------------------------------------------------------------------------


def priorities(family: Family) -> dict[str, list[Priority]]:
    found = db.session.scalars(
        select(Priority).where(Priority.family_id == family.id).order_by(Priority.whose, Priority.position)
    ).all()
    return {whose: [p for p in found if p.whose == whose] for whose in PRIORITY_OWNERS}


def set_priorities(family: Family, by, lists: dict[str, list[str]]) -> None:
    """Replace the family's own priorities and the programme's, each an ordered list."""
    problems = {}
    for whose, items in lists.items():
        if whose not in PRIORITY_OWNERS:
            raise CaseError({whose: "Unknown list of priorities"})
        if len(items) > MAX_PRIORITIES:
            problems[whose] = f"Keep to the {MAX_PRIORITIES} most important priorities; there are {len(items)}"
        elif long := [i for i, text in enumerate(items, 1) if len(text) > 300]:
            problems[whose] = f"Priority {long[0]} is too long: keep each to 300 characters"
    if problems:
        raise CaseError(problems)
    existing = priorities(family)
    before = {whose: [p.text for p in existing[whose]] for whose in lists}
    for whose in lists:
        for priority in existing[whose]:
            db.session.delete(priority)
    db.session.flush()  # the old positions go before the new ones take their places
    for whose, items in lists.items():
        for position, text in enumerate(items, 1):
            db.session.add(Priority(family_id=family.id, whose=whose, position=position, text=text, set_by_id=by.id))
    audit(
        family,
        "caf.priorities.set",
        f"Changed the priorities of family {family.reference}",
        by,
        before=before,
        after=dict(lists),
    )
    db.session.commit()


# --- Screenings ----------------------------------------------------------------------------


def record_screening(
    family: Family,
    by,
    kind: str,
    completed_on: date | None,
    answers: dict[str, str],
    outcome: str | None,
    outcome_note: str | None = None,
    member: Member | None = None,
    completed_with: str | None = None,
) -> Screening:
    screening = SCREENINGS[kind]
    problems = {}
    if member is not None and member.family_id != family.id:
        problems["member"] = "Choose a member of this family"
    if completed_on is None:
        problems["completed_on"] = "Enter the date the screening was completed"
    check_date(problems, "completed_on", completed_on, "The date the screening was completed")
    for code, question in screening["questions"].items():
        if answers.get(code) not in ANSWERS:
            problems[f"q_{code}"] = f"Answer yes, no or not known: {question}"
    if outcome not in SCREENING_OUTCOMES:
        problems["outcome"] = "Choose the outcome of the screening"
    elif outcome == "referral_made" and not _text(outcome_note):
        problems["outcome_note"] = "Say who the concern was referred to"
    elif outcome == "already_known" and not _text(outcome_note):
        problems["outcome_note"] = "Say which service already knows of the concern"
    if problems:
        raise CaseError(problems)
    record = Screening(
        family_id=family.id,
        kind=kind,
        member_id=member.id if member else None,
        completed_on=completed_on,
        answers={code: answers[code] for code in screening["questions"]},
        outcome=outcome,
        outcome_note=_text(outcome_note),
        completed_with=_text(completed_with),
        by_id=by.id,
    )
    db.session.add(record)
    db.session.flush()
    audit(
        family,
        f"caf.screening.{kind}",
        f"Recorded a {screening['title'][0].lower()}{screening['title'][1:]} of family {family.reference}: "
        f"{SCREENING_OUTCOMES[outcome].lower()}",
        by,
        after={
            "screening_id": record.id,
            "completed_on": completed_on,
            "member": member.person_ref if member else None,
            "answers": record.answers,
            "outcome": outcome,
            "outcome_note": record.outcome_note,
        },
    )
    db.session.commit()
    return record


def screenings(family: Family) -> list[Screening]:
    return db.session.scalars(
        select(Screening)
        .where(Screening.family_id == family.id)
        .order_by(Screening.completed_on.desc(), Screening.id.desc())
    ).all()


# --- The action plan -----------------------------------------------------------------------


def _check_action(problems, description, domain, owner, owner_user, agreed_on, due_on, status=NOT_STARTED):
    if not _text(description):
        problems["description"] = "Describe the action"
    if domain and domain not in DOMAINS:
        problems["domain"] = "Choose the need the action addresses"
    if not _text(owner) and owner_user is None:
        problems["owner"] = "Say who will do it: a person or an agency"
    if owner_user is not None and not owner_user.active:
        problems["owner_user"] = f"{owner_user.name} can no longer sign in; choose someone else"
    if agreed_on is None:
        problems["agreed_on"] = "Enter the date the action was agreed"
    check_date(problems, "agreed_on", agreed_on, "The date the action was agreed")
    if due_on is None:
        problems["due_on"] = "Enter the date the action is due"
    elif agreed_on and due_on < agreed_on:
        problems["due_on"] = f"The due date must be on or after the date the action was agreed ({agreed_on:%-d %B %Y})"
    if status not in ACTION_STATUSES:
        problems["status"] = "Choose the status of the action"


def add_action(
    family: Family,
    by,
    description: str,
    due_on: date | None,
    owner: str | None = None,
    owner_user=None,
    domain: str | None = None,
    agreed_on: date | None = None,
) -> Action:
    problems = {}
    # No date agreed is asked for, never taken as today: the plan may be typed up later.
    _check_action(problems, description, domain, owner, owner_user, agreed_on, due_on)
    if problems:
        raise CaseError(problems)
    action = Action(
        family_id=family.id,
        description=_text(description),
        domain=domain or None,
        owner=_text(owner),
        owner_user_id=owner_user.id if owner_user else None,
        agreed_on=agreed_on,
        due_on=due_on,
        status=NOT_STARTED,
        created_by_id=by.id,
    )
    db.session.add(action)
    db.session.flush()
    db.session.add(ActionUpdate(action_id=action.id, to_status=NOT_STARTED, on=agreed_on, by_id=by.id))
    audit(
        family,
        "caf.action.add",
        f"Added an action to the plan of family {family.reference}: {action.description}",
        by,
        after={"action_id": action.id, **action.audit_state()},
    )
    db.session.commit()
    return action


def _set_status(action: Action, status: str, by, on: date) -> None:
    if status == action.status:
        return
    db.session.add(ActionUpdate(action_id=action.id, from_status=action.status, to_status=status, on=on, by_id=by.id))
    action.status = status
    action.completed_on = on if status in (DONE, DROPPED) else None


def update_action(
    family: Family,
    action: Action,
    by,
    description: str,
    due_on: date | None,
    status: str,
    owner: str | None = None,
    owner_user=None,
    domain: str | None = None,
    agreed_on: date | None = None,
) -> Action:
    agreed_on = agreed_on or action.agreed_on
    problems = {}
    _check_action(problems, description, domain, owner, owner_user, agreed_on, due_on, status)
    if problems:
        raise CaseError(problems)
    before = action.audit_state()
    action.description, action.domain = _text(description), domain or None
    action.owner, action.owner_user_id = _text(owner), owner_user.id if owner_user else None
    action.agreed_on, action.due_on = agreed_on, due_on
    _set_status(action, status, by, date.today())
    audit(
        family,
        "caf.action.update",
        f"Changed an action in the plan of family {family.reference}: {action.description}",
        by,
        before={"action_id": action.id, **before},
        after={"action_id": action.id, **action.audit_state()},
    )
    db.session.commit()
    return action


def mark_action_done(family: Family, action: Action, by, on: date | None = None) -> Action:
    if action.status not in OPEN_ACTION_STATUSES:
        raise CaseError({"status": f"The action is already {action.status_label.lower()}"})
    before = action.audit_state()
    _set_status(action, DONE, by, on or date.today())
    audit(
        family,
        "caf.action.done",
        f"Marked an action done in the plan of family {family.reference}: {action.description}",
        by,
        before={"action_id": action.id, **before},
        after={"action_id": action.id, **action.audit_state()},
    )
    db.session.commit()
    return action


def actions(family: Family) -> list[Action]:
    """The plan: open actions first by due date, then the finished ones, most recent first."""
    found = db.session.scalars(
        select(Action).where(Action.family_id == family.id).order_by(Action.due_on, Action.id)
    ).all()
    still_open = [a for a in found if a.status in OPEN_ACTION_STATUSES]
    finished = sorted(
        (a for a in found if a.status not in OPEN_ACTION_STATUSES),
        key=lambda a: (a.completed_on or a.due_on, a.id),
        reverse=True,
    )
    return still_open + finished


# --- Team Around the Family meetings and reviews -------------------------------------------


def _check_next_review(problems, field, held_on, next_review_on, what):
    if next_review_on and held_on and next_review_on <= held_on:
        problems[field] = f"The next review date must be after the {what} ({held_on:%-d %B %Y})"


def record_meeting(
    family: Family,
    by,
    held_on: date | None,
    attendee_ids: list[int],
    other_attendees: str | None,
    decisions: str | None,
    next_review_on: date | None,
) -> TafMeeting:
    problems = {}
    if held_on is None:
        problems["held_on"] = "Enter the date the meeting was held"
    check_date(problems, "held_on", held_on, "The date of the meeting")
    members = (
        db.session.scalars(
            select(TafMember).where(TafMember.family_id == family.id, TafMember.id.in_(attendee_ids))
        ).all()
        if attendee_ids
        else []
    )
    if len(members) != len(set(attendee_ids)):
        problems["attendees"] = "Choose attendees from the family's Team Around the Family"
    elif not members and not _text(other_attendees):
        problems["attendees"] = "Say who attended: choose from the team, or name them under other attendees"
    if not _text(decisions):
        problems["decisions"] = "Record what the meeting decided"
    _check_next_review(problems, "next_review_on", held_on, next_review_on, "meeting")
    if problems:
        raise CaseError(problems)
    meeting = TafMeeting(
        family_id=family.id,
        held_on=held_on,
        other_attendees=_text(other_attendees),
        decisions=_text(decisions),
        next_review_on=next_review_on,
        by_id=by.id,
    )
    meeting.attendees = list(members)
    db.session.add(meeting)
    db.session.flush()
    audit(
        family,
        "caf.meeting.record",
        f"Recorded a Team Around the Family meeting of family {family.reference} ({held_on:%-d %B %Y})",
        by,
        after={
            "meeting_id": meeting.id,
            "held_on": held_on,
            "attendees": sorted(m.name for m in members),
            "other_attendees": meeting.other_attendees,
            "decisions": meeting.decisions,
            "next_review_on": next_review_on,
        },
    )
    db.session.commit()
    return meeting


def record_review(
    family: Family, by, reviewed_on: date | None, summary: str | None, next_review_on: date | None
) -> CaseReview:
    problems = {}
    if reviewed_on is None:
        problems["reviewed_on"] = "Enter the date of the review"
    check_date(problems, "reviewed_on", reviewed_on, "The date of the review")
    if not _text(summary):
        problems["summary"] = "Summarise the review: progress against the plan and what changes"
    _check_next_review(problems, "next_review_on", reviewed_on, next_review_on, "review")
    if problems:
        raise CaseError(problems)
    review = CaseReview(
        family_id=family.id,
        reviewed_on=reviewed_on,
        summary=_text(summary),
        next_review_on=next_review_on,
        by_id=by.id,
    )
    db.session.add(review)
    db.session.flush()
    audit(
        family,
        "caf.review.record",
        f"Recorded a review of family {family.reference} ({reviewed_on:%-d %B %Y})",
        by,
        after={
            "review_id": review.id,
            "reviewed_on": reviewed_on,
            "summary": review.summary,
            "next_review_on": next_review_on,
        },
    )
    db.session.commit()
    return review


def meetings_and_reviews(family: Family) -> list:
    """The family's meetings and reviews together, newest first."""
    meetings = db.session.scalars(select(TafMeeting).where(TafMeeting.family_id == family.id)).all()
    reviews = db.session.scalars(select(CaseReview).where(CaseReview.family_id == family.id)).all()
    return sorted(
        [*meetings, *reviews],
        key=lambda r: (r.held_on if isinstance(r, TafMeeting) else r.reviewed_on, r.at),
        reverse=True,
    )
