"""Removing the personal data of families closed longer than the retention period.

What identifies a family or tells its story goes: members' names, dates of birth (the year is
kept, for age counts), UPN and NINO, the address, every free-text note of the case work and
evidence, and the details of the case's own audit entries. What the claims and their audit
need stays: the family's reference, programme, status and dates, members' person references,
the criteria and scores, the claim lines, outcome decisions and the claims' audit entries.

Every step is one UPDATE over all the selected families, in one transaction: the families are
marked first (`anonymised_at`), and each later step reaches them through that mark.
"""

from datetime import date

from sqlalchemy import JSON, Integer, String, and_, cast, exists, func, insert, literal, not_, null, or_, select, update

from tff import locks
from tff.audit.models import AuditEntry
from tff.cases.caf.models import (
    Action,
    Assessment,
    AssessmentScore,
    CafConsent,
    CaseReview,
    Priority,
    Screening,
    TafMeeting,
)
from tff.cases.models import (
    CLOSED,
    CLOSURE_REASONS,
    Family,
    FamilyCriterion,
    FamilyStatusChange,
    LeadWorkerAssignment,
    Member,
)
from tff.cases.progress.models import CaseNote
from tff.cases.referrals.models import CareLevelChange, Referral, ReferralTransition
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimLine
from tff.evidence.models import Event, UnmatchedRow
from tff.extensions import db
from tff.jobs.models import Job
from tff.jobs.operations import start
from tff.outcomes.verified.models import VerifiedOutcome
from tff.privacy.operations import retention_years
from tff.timeutil import utcnow

JOB_KIND = "privacy.retention"
JOB_TITLE = "Remove the personal data of long-closed families"
MARKER = "Removed under retention"


def cutoff(today: date, years: int) -> date:
    """Families closed before this day have been closed longer than `years` years."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year without one
        return today.replace(year=today.year - years, day=28)


def _unsubmitted_line():
    return exists().where(
        ClaimLine.family_id == Family.id,
        ClaimBatch.id == ClaimLine.batch_id,
        ClaimBatch.state != SUBMITTED,
    )


def _due(before: date):
    return and_(Family.status == CLOSED, Family.closed_on < before, Family.anonymised_at.is_(None))


def counts(today: date | None = None, years: int | None = None) -> dict:
    """How many families are due now, and how many of them wait for a claim to be submitted."""
    years = years or retention_years()
    before = cutoff(today or date.today(), years)
    due = db.session.scalar(select(func.count()).select_from(Family).where(_due(before)))
    held = db.session.scalar(select(func.count()).select_from(Family).where(_due(before), _unsubmitted_line()))
    return {"years": years, "closed_before": before, "due": due - held, "held_back": held}


def start_retention(user=None, queue: bool = True) -> Job:
    return start(JOB_KIND, JOB_TITLE, {}, user=user, queue=queue)


def _marked(stamp):
    return select(Family.id).where(Family.anonymised_at == stamp)


def _text(where, *columns):
    """Free text of the marked families' rows replaced by the marker, where there was any."""
    return [
        update(column.class_).where(where, column.is_not(None), column != "").values({column: MARKER})
        for column in columns
    ]


def _steps(stamp, user_id: int | None, years: int, before: date):
    """(what it is doing, statements) in order, every statement over all the marked families."""
    marked = _marked(stamp)
    members = select(Member.id).where(Member.family_id.in_(marked))
    if db.engine.dialect.name == "sqlite":
        year_only = func.date(Member.date_of_birth, "start of year")
    else:
        year_only = cast(func.date_trunc("year", Member.date_of_birth), Member.date_of_birth.type)
    case_objects = select(Family.reference).where(Family.id.in_(marked))
    member_objects = select(Member.person_ref).where(Member.family_id.in_(marked))

    def texts(model, *columns, where=None):
        return _text(where if where is not None else model.family_id.in_(marked), *columns)

    return [
        (
            "Removing members' names, dates of birth and identifiers",
            [
                update(Member)
                .where(Member.family_id.in_(marked))
                .values(
                    first_name=MARKER,
                    last_name="",
                    first_key="",
                    last_key="",
                    date_of_birth=year_only,
                    upn=None,
                    nino=None,
                )
            ],
        ),
        (
            "Removing case notes and the Family CAF",
            [
                *texts(CaseNote, CaseNote.facts, CaseNote.opinion),
                *texts(CafConsent, CafConsent.given_by_name, CafConsent.withdrawn_note),
                *texts(Assessment, Assessment.summary),
                *texts(
                    AssessmentScore,
                    AssessmentScore.strengths,
                    AssessmentScore.needs,
                    where=AssessmentScore.assessment_id.in_(
                        select(Assessment.id).where(Assessment.family_id.in_(marked))
                    ),
                ),
                *texts(Priority, Priority.text),
                *texts(Screening, Screening.outcome_note, Screening.completed_with),
                *texts(Action, Action.description),
                *texts(TafMeeting, TafMeeting.other_attendees, TafMeeting.decisions),
                *texts(CaseReview, CaseReview.summary),
                *texts(FamilyCriterion, FamilyCriterion.note),
                *texts(LeadWorkerAssignment, LeadWorkerAssignment.reason),
                # a closure's reason is a code, kept; a reopening's is the worker's own words
                update(FamilyStatusChange)
                .where(
                    FamilyStatusChange.family_id.in_(marked),
                    FamilyStatusChange.reason.is_not(None),
                    FamilyStatusChange.reason.not_in(list(CLOSURE_REASONS)),
                )
                .values(reason=MARKER),
                # an attachment override's reason is the coordinator's words; that there was one stays
                update(Family)
                .where(Family.id.in_(marked), Family.attach_override_reason.is_not(None))
                .values(attach_override_reason=MARKER),
            ],
        ),
        (
            "Removing referral reasons and notes",
            [
                *texts(Referral, Referral.reason),
                *texts(
                    ReferralTransition,
                    ReferralTransition.note,
                    where=ReferralTransition.referral_id.in_(select(Referral.id).where(Referral.family_id.in_(marked))),
                ),
                *texts(CareLevelChange, CareLevelChange.note),
            ],
        ),
        (
            "Removing the detail of evidence and verified outcomes",
            [
                *texts(Event, Event.detail, where=Event.member_id.in_(members)),
                update(UnmatchedRow)
                .where(UnmatchedRow.member_id.in_(members))
                .values(row={"removed": MARKER}, suggestions=[]),
                *texts(VerifiedOutcome, VerifiedOutcome.evidence_note, VerifiedOutcome.decision_note),
            ],
        ),
        (
            "Removing the details of the case's audit entries",
            [
                update(AuditEntry)
                .where(
                    or_(
                        and_(AuditEntry.object_type == "family", AuditEntry.object_id.in_(case_objects)),
                        and_(AuditEntry.object_type == "member", AuditEntry.object_id.in_(member_objects)),
                    )
                )
                .values(summary=MARKER, before=null(), after=null()),
                # then one entry per family, saying when and why its data went
                insert(AuditEntry).from_select(
                    ["at", "user_id", "action", "object_type", "object_id", "summary", "after"],
                    select(
                        literal(stamp),
                        cast(literal(user_id), Integer),
                        literal("family.anonymise"),
                        literal("family"),
                        Family.reference,
                        literal("Removed the personal data of family ")
                        + Family.reference
                        + literal(", closed on ")
                        + cast(Family.closed_on, String)
                        + literal(f", more than {years} years ago (the retention period for closed families)"),
                        literal({"retention_years": years, "closed_before": before.isoformat()}, JSON),
                    ).where(Family.anonymised_at == stamp),
                ),
            ],
        ),
    ]


def anonymise(job=None, user_id: int | None = None, today: date | None = None) -> dict:
    """Remove the personal data of every family due, in one transaction, and say how many."""
    years = retention_years()
    before = cutoff(today or date.today(), years)
    stamp = utcnow()
    # The mark is the first write: claim assembly waits for it, so no family gains a draft
    # claim line between being chosen and being anonymised.
    marked = locks.write_first(
        update(Family)
        .where(_due(before), not_(_unsubmitted_line()))
        .values(anonymised_at=stamp, updated_at=stamp, address=None, postcode=None)
        .execution_options(synchronize_session=False, preserve_rowcount=True),
        locks.CLAIMS,
    ).rowcount
    held = db.session.scalar(select(func.count()).select_from(Family).where(_due(before), _unsubmitted_line()))
    if marked:
        steps = _steps(stamp, user_id, years, before)
        for n, (doing, statements) in enumerate(steps, start=1):
            if job:
                job.progress(n - 1, len(steps), f"{doing} ({marked:,} families)", unit="steps")
            for statement in statements:
                db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.commit()
    message = f"Removed the personal data of {marked:,} families closed before {before:%-d %B %Y}"
    if held:
        message += f"; {held:,} more wait until the claims they are in are submitted"
    return {
        "message": message,
        "families_anonymised": marked,
        "held_back_by_unsubmitted_claims": held,
        "retention_period_years": years,
        "closed_before": before.isoformat(),
    }


def job_user(job) -> int | None:
    return db.session.scalar(select(Job.started_by_id).where(Job.id == job.id))
