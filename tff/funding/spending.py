"""The spending plan, profiled against the money received.

Finance records what the programme's money pays for: lines with a name, a financial year, an
amount and what each pays for (a team's staffing, a commissioned provider's contract, or
something else). The seed council's rule is that spending is profiled against monies
received, and further commissioning follows successful claims: so each year's lines are
funded, in the order they were added, from that year's money received, and the part of a line
above what has been received is shown as funded from results still to be claimed. Such a line
is allowed (finance plans ahead of the claims), but it is marked, never hidden.

Every change is audited in its own transaction; a removed line's audit entry keeps what it was.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.audit.operations import record
from tff.cases.models import Team
from tff.cases.referrals.models import Provider
from tff.claims.models import Payment
from tff.dates import today
from tff.extensions import db
from tff.funding.models import AttachmentFeeReceipt
from tff.inputs import MAX_INT, MAX_POUNDS, as_int
from tff.problems import Refused
from tff.timeutil import financial_year_of, utcnow

#: what a line may pay for, as the pages say it
PAYS_FOR = {
    "team": "A team’s staffing",
    "provider": "A commissioned provider’s contract",
    "other": "Something else",
}
NAME_MAX = 200
DESCRIPTION_MAX = 500
#: the earliest financial year a line may be for: the programme began in 2012, and older
#: years are a slip of the keyboard
EARLIEST_YEAR = 2010
#: how many years ahead of this one finance may plan
YEARS_AHEAD = 10
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_POUNDS = re.compile(r"^£?\s*([0-9][0-9,]*)$")


class SpendingLine(db.Model):
    """One line of the spending plan: what finance has committed the programme's money to in a
    financial year, so that managers see it against the money received."""

    __tablename__ = "spending_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the money is for, as the finance report names it (e.g. Extend YWCA Family Support Contract)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: the financial year the money is spent in, like 2013/14
    financial_year: Mapped[str] = mapped_column(String(7), index=True)
    #: whole pounds, more than 0
    amount: Mapped[int]
    #: team, provider or other (PAYS_FOR)
    pays_for: Mapped[str] = mapped_column(String(10))
    #: the team whose staffing it pays for (pays_for = team)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    #: the commissioned provider whose contract it pays for (pays_for = provider)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    #: what else it pays for (pays_for = other), e.g. the case management system
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_MAX))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None]

    team: Mapped[Team | None] = relationship(lazy="joined")
    provider: Mapped[Provider | None] = relationship(lazy="joined")

    @property
    def pays_for_words(self) -> str:
        """What the line pays for, in the words of the pages and the CSV."""
        if self.pays_for == "team":
            return f"Staffing: {self.team.name}" if self.team else "Staffing"
        if self.pays_for == "provider":
            return f"Provider: {self.provider.name}" if self.provider else "Provider"
        return self.description or "Other"

    def audit_state(self) -> dict:
        return {
            "name": self.name,
            "financial_year": self.financial_year,
            "amount": self.amount,
            "pays_for": self.pays_for,
            "team_id": self.team_id,
            "provider_id": self.provider_id,
            "description": self.description,
        }


# --- the money received -----------------------------------------------------------------------


def received_by_year() -> dict[str, int]:
    """The money received in each financial year, in whole pounds: the attachment fees received
    (by the year they are for) and the results paid (by the year of the day paid). A reversal or
    a spot check's clawback is a negative payment and counts as it is."""
    received: dict[str, int] = {}
    fees = db.session.execute(
        select(AttachmentFeeReceipt.financial_year, func.sum(AttachmentFeeReceipt.amount)).group_by(
            AttachmentFeeReceipt.financial_year
        )
    )
    for year, amount in fees:
        received[year] = received.get(year, 0) + int(amount or 0)
    paid = db.session.execute(select(Payment.paid_on, func.sum(Payment.amount)).group_by(Payment.paid_on))
    for paid_on, amount in paid:
        year = financial_year_of(paid_on)
        received[year] = received.get(year, 0) + int(amount or 0)
    return received


# --- the profile ------------------------------------------------------------------------------


@dataclass
class LineFunding:
    line: SpendingLine
    #: the part funded from the year's money received
    from_received: int
    #: the part above what the year has received: it waits on results still to be claimed
    from_results: int


@dataclass
class YearProfile:
    year: str
    received: int = 0
    committed: int = 0
    from_results: int = 0

    @property
    def left(self) -> int:
        return self.received - self.committed


@dataclass
class Profile:
    years: list[YearProfile] = field(default_factory=list)
    lines: list[LineFunding] = field(default_factory=list)

    @property
    def total(self) -> YearProfile:
        total = YearProfile("In all")
        for year in self.years:
            total.received += year.received
            total.committed += year.committed
            total.from_results += year.from_results
        return total


def fund(received: dict[str, int], lines: list[SpendingLine]) -> Profile:
    """Each year's lines funded, by year and then in the order they were added, from that year's
    money received; what a line takes above the rest of it is from results still to be claimed.
    A year's money does not carry into the next: each year is profiled against its own."""
    years = {
        y: YearProfile(y, received=received.get(y, 0)) for y in set(received) | {li.financial_year for li in lines}
    }
    remaining = {y: max(p.received, 0) for y, p in years.items()}
    funded = []
    for line in sorted(lines, key=lambda li: (li.financial_year, li.id)):
        year = years[line.financial_year]
        from_received = min(line.amount, remaining[line.financial_year])
        remaining[line.financial_year] -= from_received
        year.committed += line.amount
        year.from_results += line.amount - from_received
        funded.append(LineFunding(line, from_received, line.amount - from_received))
    return Profile([years[y] for y in sorted(years)], funded)


def all_lines() -> list[SpendingLine]:
    return list(db.session.scalars(select(SpendingLine).order_by(SpendingLine.financial_year, SpendingLine.id)))


def profile() -> Profile:
    """The spending plan against the money received, per year and in all."""
    return fund(received_by_year(), all_lines())


def left_in_words(left: int) -> str:
    """What is left, or how much is missing: never a minus sign before a pound sign."""
    return f"£{-left:,} short" if left < 0 else f"£{left:,}"


# --- checking and changing lines ----------------------------------------------------------------


def latest_year() -> int:
    return today().year + YEARS_AHEAD


def year_problem(value: str) -> str | None:
    """What is wrong with a financial year typed on the form, or None."""
    found = _FINANCIAL_YEAR.match(value)
    if not found or (int(found[1]) + 1) % 100 != int(found[2]):
        return "Enter the financial year like 2013/14: the year it starts, a slash, and the last two digits of the next"
    if not EARLIEST_YEAR <= int(found[1]) <= latest_year():
        last = latest_year()
        return (
            f"The financial year must be from {EARLIEST_YEAR}/{(EARLIEST_YEAR + 1) % 100:02d} "
            f"to {last}/{(last + 1) % 100:02d}"
        )
    return None


def pounds(value) -> tuple[int | None, str | None]:
    """A whole number of pounds typed on the form (1,000 and £1,000 are taken), with what is
    wrong with it."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None, "Enter the amount, in whole pounds"
    found = _POUNDS.match(text)
    if not found and re.match(r"^-\s*£?\s*[0-9]", text):
        return None, "The amount must be £1 or more"
    if not found:
        if re.match(r"^£?\s*[0-9,]*\.[0-9]*$", text):
            return None, "Enter the amount in whole pounds, without pence, like 29234"
        return None, "Enter the amount as a whole number of pounds, like 29234"
    digits = found[1].replace(",", "").lstrip("0")
    if len(digits) > len(str(MAX_POUNDS)):
        return None, f"The amount must be £{MAX_POUNDS:,} or less"
    amount = int(digits or "0")
    if amount < 1:
        return None, "The amount must be £1 or more"
    if amount > MAX_POUNDS:
        return None, f"The amount must be £{MAX_POUNDS:,} or less"
    return amount, None


@dataclass
class LineValues:
    name: str
    financial_year: str
    amount: int
    pays_for: str
    team_id: int | None
    provider_id: int | None
    description: str | None


def check(name, financial_year, amount, pays_for, team_id=None, provider_id=None, description=None) -> LineValues:
    """The line's values as typed, checked: refused with every problem beside its field."""
    problems = {}
    name = (name or "").strip()
    if not name:
        problems["name"] = "Enter what the money is for, like Extend YWCA Family Support Contract"
    elif len(name) > NAME_MAX:
        problems["name"] = f"The name must be {NAME_MAX} characters or fewer"
    year = (financial_year or "").strip()
    if problem := year_problem(year):
        problems["financial_year"] = problem
    whole, problem = pounds(amount)
    if problem:
        problems["amount"] = problem
    team = provider = None
    text = (description or "").strip() or None
    if pays_for not in PAYS_FOR:
        problems["pays_for"] = (
            "Choose what the line pays for: a team’s staffing, a provider’s contract, or something else"
        )
    elif pays_for == "team":
        found = as_int(str(team_id) if team_id is not None else None, maximum=MAX_INT)
        team = db.session.get(Team, found) if found else None
        if team is None:
            problems["team_id"] = "Choose the team whose staffing the line pays for"
    elif pays_for == "provider":
        found = as_int(str(provider_id) if provider_id is not None else None, maximum=MAX_INT)
        provider = db.session.get(Provider, found) if found else None
        if provider is None:
            problems["provider_id"] = "Choose the commissioned provider whose contract the line pays for"
    elif not text:
        problems["description"] = "Say what else the line pays for, like the case management system"
    if text and len(text) > DESCRIPTION_MAX:
        problems["description"] = f"The description must be {DESCRIPTION_MAX} characters or fewer"
    if problems:
        raise Refused(problems)
    return LineValues(
        name=name,
        financial_year=year,
        amount=whole,
        pays_for=pays_for,
        team_id=team.id if team else None,
        provider_id=provider.id if provider else None,
        # only an "other" line keeps its description: a team or provider names itself
        description=text if pays_for == "other" else None,
    )


def _summary(line: SpendingLine) -> str:
    return f"{line.name}, {line.financial_year}, £{line.amount:,} ({line.pays_for_words})"


def add_line(values: LineValues, user) -> SpendingLine:
    line = SpendingLine(**vars(values), created_by_id=user.id if user else None)
    db.session.add(line)
    db.session.flush()
    db.session.refresh(line)
    record(
        "spending_line.add",
        "spending_line",
        line.id,
        f"Spending line added: {_summary(line)}",
        None,
        line.audit_state(),
        user=user,
    )
    db.session.commit()
    return line


def change_line(line: SpendingLine, values: LineValues, user) -> bool:
    """Change a line; False when nothing has changed (and nothing is recorded)."""
    before = line.audit_state()
    if before == vars(values):
        return False
    for key, value in vars(values).items():
        setattr(line, key, value)
    line.updated_by_id = user.id if user else None
    line.updated_at = utcnow()
    db.session.flush()
    db.session.refresh(line)
    record(
        "spending_line.change",
        "spending_line",
        line.id,
        f"Spending line changed: {_summary(line)}",
        before,
        line.audit_state(),
        user=user,
    )
    db.session.commit()
    return True


def remove_line(line: SpendingLine, user) -> None:
    """Remove a line: the audit entry keeps everything it was."""
    before = line.audit_state()
    summary = f"Spending line removed: {_summary(line)}"
    line_id = line.id
    db.session.delete(line)
    record("spending_line.remove", "spending_line", line_id, summary, before, None, user=user)
    db.session.commit()
