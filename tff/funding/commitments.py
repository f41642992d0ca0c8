"""The families committed and funded per programme and financial year, and each programme's
attachment fee basis (`funding.md`): finance's settings, audited in the change's own
transaction.

Under the 2012 Financial Framework the government paid phase one's attachment fee up front for
the families the council agreed to work with in the year, less the one in six that would have
been turned around anyway; the later programmes paid it per family attached."""

import math
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select

from tff.audit.operations import record
from tff.cases.models.family import PROGRAMMES
from tff.extensions import db
from tff.funding.models import FeeBasis, FundingCommitment
from tff.outcomes.rates import valid_financial_year
from tff.problems import Refused
from tff.timeutil import financial_year_of, local, utcnow

#: fees due for the families funded by the year's commitment
COMMITMENT = "commitment"
#: fees due for each family attached in the year, at the fee of the plan that measures it
ATTACHED = "attached"
BASES = {
    COMMITMENT: "The families funded by the commitment",
    ATTACHED: "Each family attached",
}
DEFAULT_BASIS = {"phase1": COMMITMENT, "phase2": ATTACHED, "supporting_families": ATTACHED}
#: the share of committed families the government does not fund ("deadweight")
DEADWEIGHT = {"phase1": Fraction(1, 6)}
DEADWEIGHT_WORDS = {Fraction(1, 6): "one sixth"}
#: the programme began on 1 April 2012: no commitment is for an earlier year
FIRST_YEAR = "2012/13"
#: more families than any council could commit to in a year
MOST_FAMILIES = 1_000_000


def default_funded(programme: str, committed: int) -> int:
    """The committed families less the programme's deadweight share, to the nearest whole
    family (a half rounds up): 244 less one sixth is 203."""
    exact = committed * (1 - DEADWEIGHT.get(programme, Fraction(0)))
    return math.floor(exact + Fraction(1, 2))


def default_words(programme: str, committed: int) -> str:
    share = DEADWEIGHT.get(programme)
    if not share:
        return "the default: all the families committed"
    return f"the default: {committed:,} less {DEADWEIGHT_WORDS.get(share, str(share))}"


@dataclass(frozen=True)
class Commitment:
    programme: str
    year: str
    committed: int
    funded: int
    #: True when finance entered the government's own figure of the families funded
    entered: bool

    @property
    def label(self) -> str:
        return PROGRAMMES.get(self.programme, self.programme)

    @property
    def funded_words(self) -> str:
        """Where the families funded come from, in plain words."""
        return "the government’s figure" if self.entered else default_words(self.programme, self.committed)


def _of(row: FundingCommitment) -> Commitment:
    entered = row.families_funded is not None
    funded = row.families_funded if entered else default_funded(row.programme, row.families_committed)
    return Commitment(row.programme, row.financial_year, row.families_committed, funded, entered)


def commitments() -> dict[tuple[str, str], Commitment]:
    """(programme, financial year) -> its commitment, in programme and year order, one query."""
    rows = db.session.scalars(
        select(FundingCommitment).order_by(FundingCommitment.programme, FundingCommitment.financial_year)
    )
    return {(r.programme, r.financial_year): _of(r) for r in rows}


def bases() -> dict[str, str]:
    """Every programme's fee basis: finance's setting, or the programme's default."""
    stored = dict(db.session.execute(select(FeeBasis.programme, FeeBasis.basis)).all())
    return {p: stored.get(p, DEFAULT_BASIS[p]) for p in PROGRAMMES}


def latest_year() -> str:
    """The last financial year a commitment may be for: the one after today's."""
    today = local(utcnow()).date()
    return financial_year_of(today.replace(year=today.year + 1, day=1))


def _whole(value, label: str, problems: dict, field: str) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems[field] = f"Enter the {label} as a whole number, 0 or more"
        return None
    if value > MOST_FAMILIES:
        problems[field] = f"The {label} must be {MOST_FAMILIES:,} or fewer"
        return None
    return value


def commitment_problems(programme, financial_year, committed, funded) -> dict[str, str]:
    """What is wrong with a commitment, by field (programme, financial_year, families_committed,
    families_funded); empty when it may be recorded."""
    problems: dict[str, str] = {}
    if programme not in PROGRAMMES:
        problems["programme"] = "Choose the programme the commitment is for"
    year = (financial_year or "").strip() if isinstance(financial_year, str) else ""
    last = latest_year()
    if not valid_financial_year(year):
        problems["financial_year"] = "Enter the financial year like 2012/13: two years one after the other"
    elif not FIRST_YEAR <= year <= last:
        problems["financial_year"] = f"The financial year must be between {FIRST_YEAR} and {last}"
    committed = _whole(committed, "families committed", problems, "families_committed")
    if funded is not None:
        funded = _whole(funded, "families funded", problems, "families_funded")
        if funded is not None and committed is not None and funded > committed:
            problems["families_funded"] = f"The families funded must be at most the families committed ({committed:,})"
    return problems


def set_commitment(programme: str, financial_year: str, committed: int, funded: int | None, user):
    """Record the families committed and funded for a programme's year. `funded` None: the
    default (the committed families less the programme's deadweight share). Returns the
    commitment, or None when it already stood so."""
    if problems := commitment_problems(programme, financial_year, committed, funded):
        raise Refused(problems)
    year = financial_year.strip()
    row = db.session.scalar(
        select(FundingCommitment).where(
            FundingCommitment.programme == programme, FundingCommitment.financial_year == year
        )
    )
    before = None
    if row is not None:
        if row.families_committed == committed and row.families_funded == funded:
            return None
        old = _of(row)
        before = {"families_committed": old.committed, "families_funded": old.funded, "entered": old.entered}
    else:
        row = FundingCommitment(programme=programme, financial_year=year)
        db.session.add(row)
    row.families_committed = committed
    row.families_funded = funded
    row.updated_by_id = user.id if user else None
    db.session.flush()
    new = _of(row)
    record(
        "funding_commitment.set",
        "funding_commitment",
        row.id,
        f"{new.label} {year}: {new.committed:,} families committed, {new.funded:,} funded ({new.funded_words})",
        before,
        {
            "programme": programme,
            "financial_year": year,
            "families_committed": new.committed,
            "families_funded": new.funded,
            "entered": new.entered,
        },
        user=user,
    )
    db.session.commit()
    return new


def set_basis(programme: str, basis: str, user) -> str | None:
    """Set how a programme's attachment fees fall due. Returns None when it already does so."""
    problems = {}
    if programme not in PROGRAMMES:
        problems["programme"] = "Choose the programme whose fee basis to set"
    if basis not in BASES:
        problems["basis"] = "Choose how the programme’s attachment fees fall due"
    if problems:
        raise Refused(problems)
    current = bases()[programme]
    setting = db.session.get(FeeBasis, programme)
    if current == basis and setting is not None:
        return None
    if setting is None:
        if current == basis:
            return None
        setting = FeeBasis(programme=programme)
        db.session.add(setting)
    setting.basis = basis
    setting.updated_by_id = user.id if user else None
    db.session.flush()
    record(
        "fee_basis.set",
        "fee_basis",
        programme,
        f"{PROGRAMMES[programme]}: attachment fees fall due for {BASES[basis].lower()} (was {BASES[current].lower()})",
        {"basis": current},
        {"basis": basis},
        user=user,
    )
    db.session.commit()
    return basis
