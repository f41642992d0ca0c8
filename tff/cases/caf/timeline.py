"""The Family CAF's sources for the family's timeline."""

from flask import url_for
from sqlalchemy import select

from tff.cases.caf.models import (
    ACTION_STATUSES,
    DOMAINS,
    Action,
    ActionUpdate,
    Assessment,
    CafConsent,
    CaseReview,
    Screening,
    TafMeeting,
)
from tff.cases.casework import lines
from tff.cases.progress.timeline import Entry, source
from tff.extensions import db


def _name(user) -> str | None:
    return user.name if user else None


@source("consent", "Consent")
def _consents(family):
    for consent in db.session.scalars(select(CafConsent).where(CafConsent.family_id == family.id)):
        yield Entry(
            on=consent.given_on,
            kind="consent",
            title=f"Consent given by {consent.given_by}",
            detail="Shared with: " + "; ".join(consent.agency_labels),
            by=_name(consent.recorded_by),
            at=consent.recorded_at,
            url=url_for("caf.index", reference=family.reference),
        )
        if consent.withdrawn_on:
            yield Entry(
                on=consent.withdrawn_on,
                kind="consent",
                title=f"Consent given by {consent.given_by} withdrawn",
                detail=consent.withdrawn_note,
                by=_name(consent.withdrawn_by),
                tags=["Consent withdrawn"],
                url=url_for("caf.index", reference=family.reference),
            )


@source("assessment", "Assessments")
def _assessments(family):
    for assessment in db.session.scalars(select(Assessment).where(Assessment.family_id == family.id)):
        scores = "; ".join(f"{DOMAINS.get(s.domain, s.domain)} {s.score}" for s in assessment.scores)
        yield Entry(
            on=assessment.assessed_on,
            kind="assessment",
            title="Family CAF assessment",
            detail=f"Scores: {scores}" + (f"\n{assessment.summary}" if assessment.summary else ""),
            by=_name(assessment.by),
            at=assessment.at,
            url=url_for("caf.assessments", reference=family.reference),
        )


@source("screening", "Screenings")
def _screenings(family):
    for screening in db.session.scalars(select(Screening).where(Screening.family_id == family.id)):
        about = f" of {screening.member.full_name}" if screening.member else ""
        yield Entry(
            on=screening.completed_on,
            kind="screening",
            title=f"{screening.title}{about}: {screening.outcome_label.lower()}",
            detail=screening.outcome_note,
            by=_name(screening.by),
            at=screening.at,
            url=url_for("caf.screening", reference=family.reference, screening_id=screening.id),
            tags=["Concern"] if screening.concern else [],
        )


@source("action", "Action plan")
def _action_updates(family):
    updates = (
        select(ActionUpdate, Action)
        .join(Action, ActionUpdate.action_id == Action.id)
        .where(Action.family_id == family.id)
    )
    for update, action in db.session.execute(updates):
        if update.from_status is None:
            title = "Action added to the plan"
            detail = f"{action.description} (due {action.due_on.day} {action.due_on:%b %Y})"
        else:
            title = f"Action {ACTION_STATUSES.get(update.to_status, update.to_status).lower()}"
            detail = action.description
        yield Entry(
            on=update.on,
            kind="action",
            title=title,
            detail=detail,
            by=_name(update.by),
            at=update.at,
            url=url_for("caf.action", reference=family.reference, action_id=action.id),
        )


@source("meeting", "Team Around the Family meetings")
def _meetings(family):
    for meeting in db.session.scalars(select(TafMeeting).where(TafMeeting.family_id == family.id)):
        came = [m.name for m in meeting.attendees] + lines(meeting.other_attendees)
        yield Entry(
            on=meeting.held_on,
            kind="meeting",
            title="Team Around the Family meeting",
            detail=f"Attended: {', '.join(came)}\n{meeting.decisions}",
            by=_name(meeting.by),
            at=meeting.at,
            url=url_for("caf.meetings", reference=family.reference) + f"#meeting-{meeting.id}",
        )


@source("review", "Reviews")
def _reviews(family):
    for review in db.session.scalars(select(CaseReview).where(CaseReview.family_id == family.id)):
        yield Entry(
            on=review.reviewed_on,
            kind="review",
            title="Review",
            detail=review.summary,
            by=_name(review.by),
            at=review.at,
            url=url_for("caf.meetings", reference=family.reference) + f"#review-{review.id}",
        )
