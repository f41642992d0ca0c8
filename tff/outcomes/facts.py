"""The facts the rules engine decides on: plain frozen values a loader fills from the database
in a few set-based queries (one per kind of row, for many families at once), and tests build by
hand. Rows are tuples of small slotted dataclasses, so order carries no meaning: the engine
never depends on the order a query returned them in."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from tff.evidence.kinds import TERMS, default_term_dates


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """A member of the family, as far as the rules need one: children and adults are told apart
    by age on the date that matters, never by relationship."""

    #: the member's database id, the key the evidence rows refer to
    member_id: int
    #: the product's own reference for the member, shown in reasons
    person_ref: str
    #: first and last name, shown in reasons and hints
    name: str
    date_of_birth: date

    def describe(self) -> str:
        """How reasons name the member: name and date of birth, which together tell siblings
        with similar names apart."""
        return f"{self.name} (born {self.date_of_birth.isoformat()})"


@dataclass(frozen=True, slots=True)
class AttendanceFact:
    """One attendance return: a pupil's sessions in one school term (at one school; a pupil who
    moved school has a row per school, and the rules add them up)."""

    member_id: int
    #: like 2012/13
    academic_year: str
    #: autumn, spring or summer
    term: str
    #: possible sessions (two a school day)
    possible: int
    #: unauthorised absence sessions
    unauthorised: int
    #: authorised absence sessions (illness, appointments, ...; 0 when the return did not say):
    #: the attendance rate counts them as absence, the unauthorised absence rate does not
    authorised: int = 0


@dataclass(frozen=True, slots=True)
class EventFact:
    """Something that happened to a member on a day: an ASB incident, an offence, an exclusion."""

    member_id: int
    #: asb, offence, fixed_exclusion, permanent_exclusion, ...
    kind: str
    date: date
    #: where it came from (police, school, ...) and the source's own id: read only when
    #: asked (identification names them), "" and None otherwise
    source: str = ""
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class SpellFact:
    """A state a member was in from one date to another: a benefit, a job, a programme."""

    member_id: int
    #: benefit, employment, work_programme, esf, ...
    kind: str
    #: for a benefit, its code (JSA, ESA, ...); otherwise free text or None
    detail: str | None
    start_date: date
    #: None while the spell is still open
    end_date: date | None


@dataclass(frozen=True, slots=True)
class FamilyFacts:
    """Everything the rules read about one family."""

    family_id: int
    #: the authority's reference, which decisions carry
    family_ref: str
    #: phase1, phase2 or supporting_families
    programme: str
    #: None when the family is identified but not attached: it then has no results
    attached_on: date | None
    members: tuple[MemberFacts, ...] = ()
    attendance: tuple[AttendanceFact, ...] = ()
    events: tuple[EventFact, ...] = ()
    spells: tuple[SpellFact, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimHistory:
    """The results already claimed for a family, each with the whole pounds claimed for it.
    Claimed means on a line that is not excluded, of a submitted batch or of another window's
    draft batch: the loader decides that, the rules only need the outcome and the amount."""

    #: outcome -> whole pounds claimed for it
    claimed: Mapping[str, int] = field(default_factory=dict)

    def has(self, outcome: str) -> bool:
        return outcome in self.claimed

    def amount(self, outcome: str) -> int:
        return self.claimed.get(outcome, 0)

    @property
    def total(self) -> int:
        """Whole pounds claimed for the family's results so far (the attachment fee apart)."""
        return sum(self.claimed.values())


def academic_year_of(day: date) -> str:
    """The academic year (like `2012/13`) that a date falls in, taking it to start on 1 September
    as the default calendar does."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def shift_academic_year(academic_year: str, years: int) -> str:
    """The academic year `years` after (or before, when negative) the one given."""
    first = int(academic_year[:4]) + years
    return f"{first}/{(first + 1) % 100:02d}"


@dataclass(frozen=True, slots=True)
class Term:
    """One school term with its dates; its span is start to end, both inclusive."""

    academic_year: str
    term: str
    start: date
    end: date

    @property
    def key(self) -> tuple[str, str]:
        return (self.academic_year, self.term)

    @property
    def label(self) -> str:
        """How coordinators name a term: `Summer 2013` (the calendar year the term starts in)."""
        return f"{self.term.capitalize()} {self.start.year}"


@dataclass(frozen=True, slots=True)
class TermCalendar:
    """The school term dates the rules use: those an administrator set, and the default calendar
    (autumn 1 Sep - 31 Dec, spring 1 Jan - 31 Mar, summer 1 Apr - 31 Jul) for any other year."""

    #: (academic_year, term) -> (start, end)
    dates: Mapping[tuple[str, str], tuple[date, date]] = field(default_factory=dict)

    @classmethod
    def from_years(cls, by_year: Mapping[str, Mapping[str, tuple[date, date]]]) -> "TermCalendar":
        """A calendar from academic year -> term -> (start, end), the shape the evidence
        settings' `term_calendar()` returns."""
        return cls({(year, term): span for year, terms in by_year.items() for term, span in terms.items()})

    def with_defaults(self, academic_years: Iterable[str]) -> "TermCalendar":
        """This calendar, with the default dates for every term of the given academic years that
        it does not hold."""
        dates = dict(self.dates)
        for year in academic_years:
            for term in TERMS:
                dates.setdefault((year, term), default_term_dates(year, term))
        return TermCalendar(dates)

    def covering(self, first: date, last: date) -> "TermCalendar":
        """This calendar filled with defaults for every academic year from the one `first` falls
        in to the one `last` falls in."""
        year, end = academic_year_of(first), academic_year_of(last)
        years = [year]
        while year < end:
            year = shift_academic_year(year, 1)
            years.append(year)
        return self.with_defaults(years)

    def in_date_order(self) -> list[Term]:
        """Every term held, earliest first (by end date, then start date)."""
        terms = [Term(year, term, start, end) for (year, term), (start, end) in self.dates.items()]
        return sorted(terms, key=lambda t: (t.end, t.start, t.academic_year, t.term))
