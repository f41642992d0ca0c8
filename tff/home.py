"""The counts behind the home pages' worklists: what is waiting for the person signed in, each
read in one set-based query and scoped through the families they may see, so that every count
on a home page is the length of the list it links to."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from tff.cases.access import visible_families
from tff.cases.caf.overdue import count_overdue_actions, reviews_due
from tff.cases.models import Family
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimLine, ClaimWindow, Payment
from tff.claims.operations import clawback_entries
from tff.dates import shown
from tff.evidence.kinds import OPEN
from tff.evidence.operations import count_rows, queue_conditions
from tff.extensions import db
from tff.funding.drawdown import funding
from tff.funding.operations import programme_ends
from tff.identification.worklist import WorklistFilters
from tff.identification.worklist import summary as worklist_summary
from tff.jobs.models import FAILED, Job
from tff.jobs.operations import visible_jobs
from tff.outcomes.models import Evaluation, OutcomeDecision
from tff.outcomes.verified.models import PROPOSED, VerifiedOutcome
from tff.outcomes.views import TITLES
from tff.privacy.models import RetentionPeriod
from tff.privacy.operations import CLOSED_FAMILIES, DEFAULT_YEARS
from tff.timeutil import utcnow


@dataclass(frozen=True)
class Headline:
    """The money drawn down against what is available, as the funding page totals them."""

    drawn: int
    available: int

    @property
    def percent(self) -> float | None:
        """Drawn down as a share of what is available; None while nothing is available, as the
        funding page shows no share then."""
        return 100 * self.drawn / self.available if self.available else None


def funding_headline() -> Headline:
    """The funding page's own totals, so the headline and the page it links to never differ."""
    result = funding(breakdowns=False)
    return Headline(drawn=result.total("drawn"), available=result.total("available"))


def outcomes_awaiting_approval(user) -> int:
    """The proposed verified outcomes of the families the user may see: the length of the
    managers' queue at /verified-outcomes, which reads the same rows."""
    families = visible_families(user).with_only_columns(Family.id)
    return db.session.scalar(
        select(func.count())
        .select_from(VerifiedOutcome)
        .where(VerifiedOutcome.state == PROPOSED, VerifiedOutcome.family_id.in_(families))
    )


#: what a claim window waits for, in the order a window passes through them
TO_ASSEMBLE, TO_SAMPLE, BEING_CHECKED, READY, AWAITING_PAYMENT, PAID = (
    "to_assemble",
    "to_sample",
    "being_checked",
    "ready",
    "awaiting_payment",
    "paid",
)


@dataclass(frozen=True)
class WindowWaiting:
    """A claim window and what it waits for, in finance's words."""

    id: int
    name: str
    as_of: date
    #: to assemble, sample to draw, being checked, ready to submit, awaiting payment or paid
    stage: str
    #: sampled lines internal audit has still to check
    sample_left: int
    claimed: int
    paid: int

    @property
    def outstanding(self) -> int:
        return max(self.claimed - self.paid, 0)

    @property
    def waits_for(self) -> str:
        if self.stage == TO_ASSEMBLE:
            return "To assemble"
        if self.stage == TO_SAMPLE:
            return "Audit sample to draw"
        if self.stage == BEING_CHECKED:
            return f"Audit sample being checked: {self.sample_left:,} left"
        if self.stage == READY:
            return "Ready to check and submit"
        if self.stage == AWAITING_PAYMENT:
            paid = f", £{self.paid:,} paid" if self.paid else ""
            return f"Submitted, awaiting payment: £{self.outstanding:,} outstanding{paid}"
        return "Paid"


def claim_windows() -> list[WindowWaiting]:
    """Every claim window with what it waits for, newest first, in one query: claim windows are
    the programme's, not a family's, so finance sees them all, as on the claims page."""
    claimed = (
        select(ClaimLine.batch_id, func.sum(ClaimLine.amount).label("amount"))
        .where(~ClaimLine.excluded)
        .group_by(ClaimLine.batch_id)
        .subquery()
    )
    left = (
        select(ClaimLine.batch_id, func.count().label("n"))
        .where(ClaimLine.sampled, ClaimLine.audit_state.is_(None))
        .group_by(ClaimLine.batch_id)
        .subquery()
    )
    paid = (
        select(Payment.window_id, func.sum(Payment.amount).label("amount"))
        .where(~clawback_entries())
        .group_by(Payment.window_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            ClaimWindow.id,
            ClaimWindow.name,
            ClaimWindow.as_of,
            ClaimWindow.sample_percent,
            ClaimBatch.state,
            ClaimBatch.assembled_at,
            ClaimBatch.sampled_at,
            func.coalesce(left.c.n, 0),
            func.coalesce(claimed.c.amount, 0),
            func.coalesce(paid.c.amount, 0),
        )
        .outerjoin(ClaimBatch, ClaimBatch.window_id == ClaimWindow.id)
        .outerjoin(claimed, claimed.c.batch_id == ClaimBatch.id)
        .outerjoin(left, left.c.batch_id == ClaimBatch.id)
        .outerjoin(paid, paid.c.window_id == ClaimWindow.id)
        .order_by(ClaimWindow.as_of.desc(), ClaimWindow.name)
    ).all()
    windows = []
    for id_, name, as_of, percent, state, assembled_at, sampled_at, n_left, n_claimed, n_paid in rows:
        if state == SUBMITTED:
            stage = PAID if n_paid and n_paid >= n_claimed else AWAITING_PAYMENT
        elif assembled_at is None:
            stage = TO_ASSEMBLE
        elif percent and sampled_at is None:
            stage = TO_SAMPLE
        elif n_left:
            stage = BEING_CHECKED
        else:
            stage = READY
        windows.append(WindowWaiting(id_, name, as_of, stage, n_left, int(n_claimed), int(n_paid)))
    return windows


@dataclass(frozen=True)
class CoordinatorCounts:
    """What waits for a coordinator, each the length of the list it links to."""

    #: families eligible on their confirmed criteria, waiting for a decision to attach them
    eligible: int
    #: overdue actions and reviews across the families the coordinator may see
    overdue: int
    #: evidence rows an import could not match to a person, still open
    unmatched: int


def coordinator_counts(user) -> CoordinatorCounts:
    """The identification worklist's eligible group, the overdue read model's count and the
    unmatched evidence queue's open rows, each read with the query its own list uses."""
    families = visible_families(user)
    # the overdue table beside it reads "today" so; the count must be its length
    now = date.today()
    return CoordinatorCounts(
        eligible=worklist_summary(user, WorklistFilters()).eligible,
        overdue=count_overdue_actions(families, now) + len(reviews_due(families, now)),
        unmatched=count_rows(queue_conditions(OPEN)),
    )


#: near misses listed on a lead worker's home page
NEAR_MISSES_SHOWN = 25


@dataclass(frozen=True)
class NearMisses:
    """The near misses of the latest evaluation of the cohort among a lead worker's families."""

    as_of: date | None
    #: (decision, the result's title), the most money first
    rows: list
    total: int


def my_near_misses(user, shown: int = NEAR_MISSES_SHOWN) -> NearMisses:
    """The latest finished evaluation of the whole cohort (not a claim's, not one family's), as
    the funding page reads it, and its near misses in the families the user leads, found
    through `visible_families`: a lead worker has no near-misses page of their own, so the home
    page lists them, each to the family's results as of that date."""
    latest = db.session.execute(
        select(Evaluation.id, Evaluation.as_of)
        .where(Evaluation.window_id.is_(None), Evaluation.family_ref.is_(None), Evaluation.finished_at.is_not(None))
        .order_by(Evaluation.as_of.desc(), Evaluation.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return NearMisses(None, [], 0)
    led = visible_families(user).where(Family.lead_worker_id == user.id).with_only_columns(Family.id)
    d = OutcomeDecision
    query = select(d).where(d.evaluation_id == latest.id, d.near_miss.is_not(None), d.family_id.in_(led))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(d.at_stake.desc().nulls_last(), d.near_miss, d.family_ref, d.outcome).limit(shown)
    ).all()
    return NearMisses(latest.as_of, [(row, TITLES.get(row.outcome, row.outcome)) for row in rows], total)


#: how far back an administrator's home page lists the jobs that failed
FAILED_JOBS_DAYS = 7


def failed_jobs(user, days: int = FAILED_JOBS_DAYS) -> list[Job]:
    """The jobs that failed in the last `days` days, the latest first, among the jobs the user
    may see (`visible_jobs`: an administrator sees them all)."""
    since = utcnow() - timedelta(days=days)
    query = visible_jobs(user).where(Job.state == FAILED, Job.finished_at >= since)
    return db.session.scalars(query.order_by(None).order_by(Job.finished_at.desc(), Job.id.desc())).all()


@dataclass(frozen=True)
class MissingSetting:
    """A setting nobody has made, in words, with where it is made."""

    what: str
    endpoint: str


def missing_settings() -> list[MissingSetting]:
    """The settings an administrator (or finance, for commitments) has still to make, where a
    default stands in silently: the retention period of closed families' data, the end of a
    programme that has families, and the commitment of a year with families whose fees fall
    due by it (the funding page counts such a year's money as £0)."""
    missing = []
    if db.session.get(RetentionPeriod, CLOSED_FAMILIES) is None:
        missing.append(
            MissingSetting(
                f"No retention period is set for closed families’ personal data: the default of "
                f"{DEFAULT_YEARS} years applies",
                "privacy.retention_settings",
            )
        )
    with_families = set(db.session.scalars(select(Family.programme).distinct()))
    for end in programme_ends().values():
        if not end.is_set and end.programme in with_families:
            missing.append(
                MissingSetting(
                    f"No end date is set for {end.label}: the default of {shown(end.ends_on)} applies",
                    "funding_settings.programme_ends",
                )
            )
    for row in funding(breakdowns=False).years:
        if row.no_commitment:
            missing.append(
                MissingSetting(
                    f"No commitment is recorded for {row.label} {row.year}, a year with families",
                    "funding.commitments_page",
                )
            )
    return missing
