"""The money of the programme, in a handful of grouped queries whatever the cohort's size:
attachment fees due and received, results claimed and paid, and what is still available.

Families are counted by the financial year they were attached in (1 April to 31 March), as
fees and results are paid by it. "Claimed" is what submitted claims include."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from tff.auth.models import User
from tff.cases.models import Family
from tff.cases.models.family import PROGRAMMES
from tff.cases.models.workers import Team
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimLine, ClaimWindow, Payment
from tff.extensions import db
from tff.funding.models import AttachmentFeeReceipt
from tff.outcomes import loader
from tff.outcomes.models import Evaluation, OutcomeDecision
from tff.outcomes.phase1 import RULE_SET, financial_year_of


@dataclass
class YearRow:
    """A programme's families attached in one financial year, and their money."""

    programme: str
    year: str
    families: int = 0
    fees_due: int = 0
    fees_received: int = 0
    results_claimed: int = 0
    #: the most the families could bring in: every fee and every result
    available: int = 0
    #: families whose year has no rate or whose programme has no plan in force
    unpriced: int = 0

    @property
    def drawn(self) -> int:
        return self.fees_due + self.results_claimed

    @property
    def share(self) -> float | None:
        return self.drawn / self.available if self.available else None

    @property
    def label(self) -> str:
        return PROGRAMMES.get(self.programme, self.programme)


@dataclass
class Funding:
    years: list[YearRow] = field(default_factory=list)
    #: (outcome, attachment year, results, amount) over submitted claims
    by_outcome: list[tuple] = field(default_factory=list)
    #: (window, as of, claimed, paid) of submitted windows, in date order
    by_window: list[tuple] = field(default_factory=list)
    #: (team, families, amount) of results claimed, by the lead worker's team
    by_team: list[tuple] = field(default_factory=list)
    #: (as of, whole pounds) of the near misses of the latest evaluation of the cohort
    near_misses: tuple[date, int] | None = None

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.years)


def _per_family(programme: str, attached_on: date, rules) -> tuple[int, int] | None:
    """(attachment fee, the most its results can bring) for a family attached that day."""
    if programme == RULE_SET:
        rates = rules.phase1.rates.get(financial_year_of(attached_on))
        return (rates.attachment_fee, rates.continuous_employment) if rates else None
    plan = rules.plan_for(programme, attached_on, None)
    return (plan.rates.attachment_fee, plan.rates.result) if plan else None


def funding() -> Funding:
    rules = loader.rule_sets()
    years: dict[tuple[str, str], YearRow] = {}

    def row(programme: str, year: str) -> YearRow:
        return years.setdefault((programme, year), YearRow(programme, year))

    # Families by programme and day of attachment (a few thousand groups for a whole region).
    attached = select(Family.programme, Family.attached_on, func.count()).where(Family.attached_on.is_not(None))
    for programme, day, count in db.session.execute(attached.group_by(Family.programme, Family.attached_on)):
        line = row(programme, financial_year_of(day))
        line.families += count
        prices = _per_family(programme, day, rules)
        if prices is None:
            line.unpriced += count
            continue
        fee, results = prices
        line.fees_due += fee * count
        line.available += (fee + results) * count

    received = select(
        AttachmentFeeReceipt.programme, AttachmentFeeReceipt.financial_year, func.sum(AttachmentFeeReceipt.amount)
    )
    for programme, year, amount in db.session.execute(
        received.group_by(AttachmentFeeReceipt.programme, AttachmentFeeReceipt.financial_year)
    ):
        row(programme, year).fees_received += amount

    claimed = (
        select(Family.programme, ClaimLine.attachment_year, ClaimLine.outcome, func.count(), func.sum(ClaimLine.amount))
        .join(ClaimBatch, ClaimBatch.id == ClaimLine.batch_id)
        .join(Family, Family.id == ClaimLine.family_id)
        .where(ClaimBatch.state == SUBMITTED, ~ClaimLine.excluded)
        .group_by(Family.programme, ClaimLine.attachment_year, ClaimLine.outcome)
    )
    by_outcome: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for programme, year, outcome, count, amount in db.session.execute(claimed):
        row(programme, year).results_claimed += amount
        totals = by_outcome[outcome, year]
        totals[0] += count
        totals[1] += amount

    result = Funding(years=sorted(years.values(), key=lambda r: (r.programme, r.year)))
    result.by_outcome = sorted((o, y, n, a) for (o, y), (n, a) in by_outcome.items())
    result.by_window = _by_window()
    result.by_team = _by_team()
    result.near_misses = _near_misses()
    return result


def _near_misses() -> tuple[date, int] | None:
    """What the latest evaluation of the cohort says is nearly in reach: the pounds of the
    results one more term, a few more weeks of work or a missing return away."""
    latest = db.session.execute(
        select(Evaluation.id, Evaluation.as_of)
        .where(Evaluation.window_id.is_(None), Evaluation.family_ref.is_(None), Evaluation.finished_at.is_not(None))
        .order_by(Evaluation.as_of.desc(), Evaluation.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    amount = db.session.scalar(
        select(func.coalesce(func.sum(OutcomeDecision.at_stake), 0)).where(
            OutcomeDecision.evaluation_id == latest.id, OutcomeDecision.near_miss.is_not(None)
        )
    )
    return latest.as_of, amount


def _by_window() -> list[tuple]:
    claimed = (
        select(ClaimBatch.window_id, func.coalesce(func.sum(ClaimLine.amount), 0))
        .join(ClaimLine, ClaimLine.batch_id == ClaimBatch.id)
        .where(ClaimBatch.state == SUBMITTED, ~ClaimLine.excluded)
        .group_by(ClaimBatch.window_id)
        .subquery()
    )
    paid = select(Payment.window_id, func.sum(Payment.amount).label("paid")).group_by(Payment.window_id).subquery()
    query = (
        select(ClaimWindow.name, ClaimWindow.as_of, func.coalesce(claimed.c[1], 0), func.coalesce(paid.c.paid, 0))
        .join(ClaimBatch, ClaimBatch.window_id == ClaimWindow.id)
        .outerjoin(claimed, claimed.c.window_id == ClaimWindow.id)
        .outerjoin(paid, paid.c.window_id == ClaimWindow.id)
        .where(ClaimBatch.state == SUBMITTED)
        .order_by(ClaimWindow.as_of, ClaimWindow.name)
    )
    return [tuple(r) for r in db.session.execute(query)]


def _by_team() -> list[tuple]:
    query = (
        select(
            Team.name,
            func.count(func.distinct(ClaimLine.family_id)),
            func.sum(ClaimLine.amount),
        )
        .select_from(ClaimLine)
        .join(ClaimBatch, ClaimBatch.id == ClaimLine.batch_id)
        .join(Family, Family.id == ClaimLine.family_id)
        .outerjoin(User, User.id == Family.lead_worker_id)
        .outerjoin(Team, Team.id == User.team_id)
        .where(ClaimBatch.state == SUBMITTED, ~ClaimLine.excluded)
        .group_by(Team.name)
        .order_by(func.sum(ClaimLine.amount).desc())
    )
    return [(team or "No team", families, amount) for team, families, amount in db.session.execute(query)]


def trajectory(result: Funding, end: date) -> tuple[list[str], list[int | None], list[int], list[int | None]]:
    """Window by window: (labels, results claimed so far, the straight line from nothing to all
    the results available by the programme's end date, and the forecast: the near misses of
    the latest evaluation added after the last window)."""
    windows = result.by_window
    if not windows:
        return [], [], [], []
    results_available = sum(r.available - r.fees_due for r in result.years)
    start = windows[0][1]
    span = max((end - start).days, 1)

    def line_at(day: date) -> int:
        return round(results_available * min(max((day - start).days, 0) / span, 1))

    labels, claimed, target, running = [], [], [], 0
    for name, as_of, amount, _paid in windows:
        running += amount
        labels.append(name)
        claimed.append(running)
        target.append(line_at(as_of))
    forecast: list[int | None] = [None] * len(labels)
    if result.near_misses and result.near_misses[1]:
        as_of, near = result.near_misses
        forecast[-1] = running
        labels.append(f"Near misses as of {as_of.isoformat()}")
        claimed.append(None)
        target.append(line_at(max(as_of, windows[-1][1])))
        forecast.append(running + near)
    return labels, claimed, target, forecast
