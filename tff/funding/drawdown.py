"""The money of the programme, in a handful of grouped queries whatever the cohort's size:
attachment fees due and received, results claimed and paid, and what is still available, and
the results claimed by the lead worker's team and by the provider a family was referred to.

Families are counted by the financial year they were attached in (1 April to 31 March), as
fees and results are paid by it, each family once. Attachment fees fall due on the programme's
basis (`funding.md`): for the families funded by the year's commitment (phase one), or for each
family attached at the fee of the plan that measures it. "Claimed" is what submitted claims
include; "drawn down" is the money received: fees received and results paid."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, case, cast, exists, func, null, select, union_all

from tff.auth.models import User
from tff.cases.models import Family
from tff.cases.models.family import PROGRAMMES
from tff.cases.models.workers import Team
from tff.cases.referrals.models import DECLINED, Provider, Referral
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimLine, ClaimWindow, Payment
from tff.claims.operations import clawback_entries
from tff.extensions import db
from tff.funding.commitments import ATTACHED, COMMITMENT, bases, commitments
from tff.funding.models import AttachmentFeeReceipt
from tff.outcomes import loader
from tff.outcomes.models import Evaluation, OutcomeDecision
from tff.outcomes.phase1 import RULE_SET, financial_year_of


@dataclass
class YearRow:
    """A programme's financial year: its commitment, the families attached in it, and their
    money on the programme's fee basis (`funding.md`)."""

    programme: str
    year: str
    #: commitment (fees due for the families funded) or attached (for each family attached)
    basis: str = ATTACHED
    families: int = 0
    #: of them, those attached although not eligible on their confirmed criteria, with a reason
    on_override: int = 0
    #: the families the council agreed to work with that year; None: no commitment recorded
    committed: int | None = None
    #: the families the attachment fee is paid for (the default or the government's figure)
    funded: int | None = None
    fees_due: int = 0
    fees_received: int = 0
    #: the most the year's results can bring: the families funded (commitment basis) or each
    #: family attached (attached basis) at the most a family's results can bring
    results_available: int = 0
    #: results in submitted claims
    results_claimed: int = 0
    #: of the payments for submitted claims, this year's share (a window's payment shared
    #: among its lines' programmes and years by the amounts claimed)
    results_paid: int = 0
    #: families (attached basis) or families funded (commitment basis) whose year has no rate
    #: or whose programme has no plan in force
    unpriced: int = 0

    @property
    def available(self) -> int:
        """Every fee due and every result that could be claimed."""
        return self.fees_due + self.results_available

    @property
    def drawn(self) -> int:
        """The money received: attachment fees and results paid."""
        return self.fees_received + self.results_paid

    @property
    def unpaid(self) -> int:
        """Results claimed and not yet paid (less than 0: paid more than claimed)."""
        return self.results_claimed - self.results_paid

    @property
    def up_front(self) -> int | None:
        """The attachment fees as a whole percentage of what is available: how much of the year's
        money is paid up front (phase one: 80%, 60% and 40% over its three years)."""
        return round(100 * self.fees_due / self.available) if self.available else None

    @property
    def share(self) -> float | None:
        return self.drawn / self.available if self.available else None

    @property
    def no_commitment(self) -> bool:
        """Fees fall due by the commitment, and none is recorded for the year."""
        return self.basis == COMMITMENT and self.committed is None

    @property
    def progress(self) -> float | None:
        """The families attached as a share of those committed."""
        return self.families / self.committed if self.committed else None

    @property
    def label(self) -> str:
        return PROGRAMMES.get(self.programme, self.programme)


@dataclass
class Funding:
    years: list[YearRow] = field(default_factory=list)
    #: (outcome, attachment year, results, amount) over submitted claims
    by_outcome: list[tuple] = field(default_factory=list)
    #: (window, as of, claimed, paid, families) of submitted windows, in date order
    by_window: list[tuple] = field(default_factory=list)
    #: (team, families, amount) of results claimed, by the lead worker's team
    by_team: list[tuple] = field(default_factory=list)
    #: (provider, families referred, families with results claimed, results, amount); the last
    #: row, provider None, is the families never referred (a declined referral does not count)
    by_provider: list[tuple] = field(default_factory=list)
    #: (as of, whole pounds) of the near misses of the latest evaluation of the cohort
    near_misses: tuple[date, int] | None = None
    #: families with a result in a submitted claim, each counted once
    families_claimed: int = 0
    #: payments for submitted windows with no line included: in the totals, in no year
    unshared_paid: int = 0

    def total(self, name: str) -> int:
        extra = self.unshared_paid if name in ("results_paid", "drawn") else 0
        if name == "unpaid":
            extra = -self.unshared_paid
        return sum(getattr(row, name) for row in self.years) + extra

    def by_programme(self) -> list[YearRow]:
        """Each programme's years added up (year "All years"), in programme order."""
        added: dict[str, YearRow] = {}
        summed = ("families", "on_override", "fees_due", "fees_received", "results_available")
        summed += ("results_claimed", "results_paid", "unpriced")
        for row in self.years:
            total = added.setdefault(row.programme, YearRow(row.programme, "All years", row.basis))
            for name in summed:
                setattr(total, name, getattr(total, name) + getattr(row, name))
            if row.committed is not None:
                total.committed = (total.committed or 0) + row.committed
                total.funded = (total.funded or 0) + (row.funded or 0)
        return list(added.values())

    def total_committed(self) -> int:
        return sum(row.committed or 0 for row in self.years)

    def families_against_commitment(self) -> int:
        """The families attached in the years with a commitment: progress against it."""
        return sum(row.families for row in self.years if row.committed is not None)


def _per_family(programme: str, attached_on: date, chosen: str | None, rules) -> tuple[int, int] | None:
    """(attachment fee, the most its results can bring) for a family attached that day,
    measured by the plan it names or the one in force then."""
    if programme == RULE_SET:
        rates = rules.phase1.rates.get(financial_year_of(attached_on))
        return (rates.attachment_fee, rates.continuous_employment) if rates else None
    plan = rules.plan_for(programme, attached_on, chosen)
    return (plan.rates.attachment_fee, plan.rates.result) if plan else None


def _per_year(programme: str, year: str, rules) -> tuple[int, int] | None:
    """(attachment fee, the most a family's results can bring) of a financial year: phase
    one's rate table, or the plan in force on its first day (else on its last)."""
    if programme == RULE_SET:
        rates = rules.phase1.rates.get(year)
        return (rates.attachment_fee, rates.continuous_employment) if rates else None
    first = int(year[:4])
    plan = rules.plan_for(programme, date(first, 4, 1), None) or rules.plan_for(programme, date(first + 1, 3, 31), None)
    return (plan.rates.attachment_fee, plan.rates.result) if plan else None


def _shares(amount: int, parts: dict, whole: int) -> dict:
    """`amount` shared among `parts` (key -> weight, summing to `whole`) in whole pounds that
    add up to it: each its floor, the pounds left to the largest remainders."""
    shares = {key: amount * weight // whole for key, weight in parts.items()}
    left = amount - sum(shares.values())
    by_remainder = sorted(parts, key=lambda key: -(amount * parts[key] % whole))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


def funding(breakdowns: bool = True) -> Funding:
    """The programme's money by programme and year; with `breakdowns`, also by window, team,
    provider and near miss (the dashboard's tables: a home page's headline needs only the
    years, and is spared the by-provider query, the heaviest of them)."""
    rules = loader.rule_sets()
    fee_bases = bases()
    years: dict[tuple[str, str], YearRow] = {}

    def row(programme: str, year: str) -> YearRow:
        found = years.get((programme, year))
        if found is None:
            found = years[programme, year] = YearRow(programme, year, fee_bases.get(programme, ATTACHED))
        return found

    for (programme, year), commitment in commitments().items():
        line = row(programme, year)
        line.committed, line.funded = commitment.committed, commitment.funded

    # Families by programme, day of attachment and plan named (a few thousand groups for a
    # whole region), with those attached on an override counted in the same pass.
    attached = select(
        Family.programme,
        Family.attached_on,
        Family.outcome_plan,
        func.count(),
        func.count(Family.attach_override_reason),
    ).where(Family.attached_on.is_not(None))
    per_family: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for programme, day, chosen, count, overridden in db.session.execute(
        attached.group_by(Family.programme, Family.attached_on, Family.outcome_plan)
    ):
        line = row(programme, financial_year_of(day))
        line.families += count
        line.on_override += overridden
        prices = _per_family(programme, day, chosen, rules)
        money = per_family[programme, line.year]
        if prices is None:
            money[2] += count
            continue
        money[0] += prices[0] * count
        money[1] += prices[1] * count

    for line in years.values():
        if line.basis == ATTACHED:
            line.fees_due, line.results_available, line.unpriced = per_family[line.programme, line.year]
        elif line.funded is not None:
            prices = _per_year(line.programme, line.year, rules)
            if prices is None:
                line.unpriced = line.funded
            else:
                line.fees_due, line.results_available = prices[0] * line.funded, prices[1] * line.funded

    received = select(
        AttachmentFeeReceipt.programme, AttachmentFeeReceipt.financial_year, func.sum(AttachmentFeeReceipt.amount)
    )
    for programme, year, amount in db.session.execute(
        received.group_by(AttachmentFeeReceipt.programme, AttachmentFeeReceipt.financial_year)
    ):
        row(programme, year).fees_received += amount

    claimed = (
        select(
            ClaimBatch.window_id,
            Family.programme,
            ClaimLine.attachment_year,
            ClaimLine.outcome,
            func.count(),
            func.sum(ClaimLine.amount),
        )
        .join(ClaimBatch, ClaimBatch.id == ClaimLine.batch_id)
        .join(Family, Family.id == ClaimLine.family_id)
        .where(ClaimBatch.state == SUBMITTED, ~ClaimLine.excluded)
        .group_by(ClaimBatch.window_id, Family.programme, ClaimLine.attachment_year, ClaimLine.outcome)
    )
    by_outcome: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    window_parts: dict[int, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for window_id, programme, year, outcome, count, amount in db.session.execute(claimed):
        row(programme, year).results_claimed += amount
        window_parts[window_id][programme, year] += amount
        totals = by_outcome[outcome, year]
        totals[0] += count
        totals[1] += amount

    result = Funding()
    paid = (
        select(Payment.window_id, func.sum(Payment.amount))
        .join(ClaimBatch, ClaimBatch.window_id == Payment.window_id)
        .where(ClaimBatch.state == SUBMITTED)
        .group_by(Payment.window_id)
    )
    for window_id, amount in db.session.execute(paid):
        parts = {key: weight for key, weight in window_parts.get(window_id, {}).items() if weight}
        whole = sum(parts.values())
        if whole <= 0:
            result.unshared_paid += amount
            continue
        for (programme, year), share in _shares(amount, parts, whole).items():
            row(programme, year).results_paid += share

    result.years = sorted(years.values(), key=lambda r: (r.programme, r.year))
    result.by_outcome = sorted((o, y, n, a) for (o, y), (n, a) in by_outcome.items())
    if not breakdowns:
        return result
    result.by_window = _by_window()
    result.families_claimed = db.session.scalar(
        select(func.count(func.distinct(ClaimLine.family_id)))
        .join(ClaimBatch, ClaimBatch.id == ClaimLine.batch_id)
        .where(ClaimBatch.state == SUBMITTED, ~ClaimLine.excluded)
    )
    result.by_team = _by_team()
    result.by_provider = _by_provider()
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
    """(window, as of, claimed, paid, families claimed for (each once), clawed back) of submitted
    windows: paid is payments less their reversals, clawed back the spot checks' clawbacks less
    theirs (`tff.claims.operations.clawback_entries`), as the window's own page counts them."""
    claimed = (
        select(
            ClaimBatch.window_id,
            func.coalesce(func.sum(ClaimLine.amount), 0),
            func.count(func.distinct(ClaimLine.family_id)).label("families"),
        )
        .join(ClaimLine, ClaimLine.batch_id == ClaimBatch.id)
        .where(ClaimBatch.state == SUBMITTED, ~ClaimLine.excluded)
        .group_by(ClaimBatch.window_id)
        .subquery()
    )
    clawback = clawback_entries()
    paid = (
        select(
            Payment.window_id,
            func.sum(case((clawback, 0), else_=Payment.amount)).label("paid"),
            func.sum(case((clawback, -Payment.amount), else_=0)).label("clawed"),
        )
        .group_by(Payment.window_id)
        .subquery()
    )
    query = (
        select(
            ClaimWindow.name,
            ClaimWindow.as_of,
            func.coalesce(claimed.c[1], 0),
            func.coalesce(paid.c.paid, 0),
            func.coalesce(claimed.c.families, 0),
            func.coalesce(paid.c.clawed, 0),
        )
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


def _by_provider() -> list[tuple]:
    """One query: each provider's referred families and the results claimed for them, and the
    attached families no provider took (never referred, or only declined) as the last row.

    It is driven from the claimed families, a fraction of the cohort, and each provider's
    count of referred families comes from the referrals index by provider."""
    claimed = (
        select(ClaimLine.family_id, func.count().label("results"), func.sum(ClaimLine.amount).label("amount"))
        .join(ClaimBatch, ClaimBatch.id == ClaimLine.batch_id)
        .where(ClaimBatch.state == SUBMITTED, ~ClaimLine.excluded)
        .group_by(ClaimLine.family_id)
        .cte("claimed")
    )
    # a family referred to the same provider twice (the first referral closed) counts once
    pairs = (
        select(Referral.provider_id, claimed.c.family_id, claimed.c.results, claimed.c.amount)
        .join(Referral, Referral.family_id == claimed.c.family_id)
        .where(Referral.state != DECLINED)
        .distinct()
        .cte("claimed_referred")
    )
    referred = (
        select(func.count(func.distinct(Referral.family_id)))
        .where(Referral.provider_id == Provider.id, Referral.state != DECLINED)
        .scalar_subquery()
    )
    providers = (
        select(
            Provider.name,
            referred,
            func.count(pairs.c.family_id),
            func.coalesce(func.sum(pairs.c.results), 0),
            func.coalesce(func.sum(pairs.c.amount), 0),
        )
        .select_from(Provider)
        .outerjoin(pairs, pairs.c.provider_id == Provider.id)
        .group_by(Provider.id, Provider.name)
    )

    def taken(family_id):
        return exists().where(Referral.family_id == family_id, Referral.state != DECLINED)

    unreferred = (
        select(func.count())
        .select_from(Family)
        .where(Family.attached_on.is_not(None), ~taken(Family.id))
        .scalar_subquery()
    )
    others = select(
        cast(null(), String),
        unreferred,
        func.count(),
        func.coalesce(func.sum(claimed.c.results), 0),
        func.coalesce(func.sum(claimed.c.amount), 0),
    ).where(~taken(claimed.c.family_id))
    rows = [tuple(row) for row in db.session.execute(union_all(providers, others))]
    named = sorted((r for r in rows if r[0] is not None), key=lambda r: (-r[4], r[0].casefold()))
    return [*named, *(("No referral", *r[1:]) for r in rows if r[0] is None)]


def trajectory(
    result: Funding, ends: dict[str, date]
) -> tuple[list[str], list[int | None], list[int], list[int | None]]:
    """Window by window: (labels, results claimed so far, the line that claims all the results
    available by the end dates, and the forecast: the near misses of the latest evaluation
    added after the last window).

    Each programme's results are spread evenly from the first submitted window to that
    programme's own end date (`ends`), and the line is their sum. After the last window the
    line goes on to each end still to come, in date order with the near misses, so that it
    reaches every result available (phase one: "to claim all available funding by the end of
    April 2015", as the seed council's report has it)."""
    windows = result.by_window
    if not windows:
        return [], [], [], []
    available: dict[str, int] = defaultdict(int)
    for r in result.years:
        available[r.programme] += r.results_available
    start = windows[0][1]
    latest = max(ends.values())

    def line_at(day: date) -> int:
        elapsed = max((day - start).days, 0)
        total = 0.0
        for programme, amount in available.items():
            span = max((ends.get(programme, latest) - start).days, 1)
            total += amount * min(elapsed / span, 1)
        return round(total)

    labels, claimed, target, running = [], [], [], 0
    for name, as_of, amount, *_paid in windows:
        running += amount
        labels.append(name)
        claimed.append(running)
        target.append(line_at(as_of))
    forecast: list[int | None] = [None] * len(labels)
    last = windows[-1][1]
    # (day, order, label, forecast) of the points after the last window: the near misses
    # first on a day an end shares
    after: list[tuple[date, int, str, int | None]] = []
    if result.near_misses and result.near_misses[1]:
        as_of, near = result.near_misses
        forecast[-1] = running
        after.append((max(as_of, last), 0, f"Near misses as of {as_of.isoformat()}", running + near))
    ending: dict[date, list[str]] = defaultdict(list)
    for programme, amount in available.items():
        end = ends.get(programme, latest)
        if amount and end > last:
            ending[end].append(PROGRAMMES.get(programme, programme))
    for end, names in ending.items():
        after.append((end, 1, f"{end:%-d %B %Y}, end of {' and '.join(sorted(names))}", None))
    for day, _order, label, ahead in sorted(after):
        labels.append(label)
        claimed.append(None)
        target.append(line_at(day))
        forecast.append(ahead)
    return labels, claimed, target, forecast
