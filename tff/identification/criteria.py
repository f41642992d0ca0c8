"""What the family page shows of a family's criteria: beside each criterion it may meet, whether
the evidence suggested it, a person confirmed, recorded or rejected it, or it was imported, and
the evidence behind it; and what the family's eligibility is on its confirmed criteria."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from tff.cases.eligibility import confirmed
from tff.cases.models import IDENTIFIED, Family, FamilyCriterion
from tff.cases.models.identification import CONFIRMED, FROM_EVIDENCE, IMPORTED
from tff.extensions import db
from tff.identification import decisions
from tff.identification.engine import LOCAL, NATIONAL, PROBLEM, Eligibility, eligible, judge
from tff.identification.job import with_evidence
from tff.identification.models import IdentificationSuggestion, RejectedCriterion
from tff.outcomes.plan_versions.measuring import why_not_measured

#: what each state is called on the page
SUGGESTED, REJECTED, NOT_SHOWN = "suggested", "rejected", "not shown"
STATE_TITLES = {
    FROM_EVIDENCE: "Confirmed from the evidence",
    CONFIRMED: "Recorded by a person",
    IMPORTED: "Imported",
    SUGGESTED: "Suggested by the evidence",
    REJECTED: "Rejected",
    NOT_SHOWN: "Not shown",
}
HEADINGS = {NATIONAL: "National criteria", PROBLEM: "Headline problems", LOCAL: "Local filters"}


@dataclass
class Criterion:
    kind: str
    code: str
    title: str
    #: a key of STATE_TITLES
    state: str
    #: the evidence behind it, one item a line
    evidence: list[str] = field(default_factory=list)
    #: who confirmed, recorded or rejected it, and when
    by: str | None = None
    at: datetime | None = None
    #: the person's note, or the reason for a rejection
    words: str | None = None
    #: whether the evidence suggests it now (so it can be confirmed or rejected)
    suggested_now: bool = False

    @property
    def counts(self) -> bool:
        return self.state in (FROM_EVIDENCE, CONFIRMED, IMPORTED)

    @property
    def state_title(self) -> str:
        return STATE_TITLES[self.state]


@dataclass
class FamilyCriteria:
    #: (heading, criteria) for each kind the family is judged on
    groups: list[tuple[str, list[Criterion]]]
    eligibility: Eligibility
    #: whether the family would be eligible were its current suggestions confirmed
    eligible_if_confirmed: bool
    #: the date the current suggestions were worked out on (None: never)
    suggested_as_of: date | None
    #: why no headline problem can be recorded (no plan measures the family), else None
    no_problems: str | None
    #: whether the family is still to be attached, so its suggestions are current
    to_attach: bool
    #: whether any member of the family has any evidence
    has_evidence: bool = True

    @property
    def waiting(self) -> list[Criterion]:
        return [c for _, rows in self.groups for c in rows if c.state == SUGGESTED]


def _name(user) -> str | None:
    return user.name if user is not None else None


def family_criteria(family: Family) -> FamilyCriteria:
    to_attach = family.status == IDENTIFIED and family.attached_on is None
    held = {
        (c.kind, c.code): c
        for c in db.session.scalars(select(FamilyCriterion).where(FamilyCriterion.family_id == family.id))
    }
    suggestions = (
        {
            (s.kind, s.code): s
            for s in db.session.scalars(
                select(IdentificationSuggestion).where(IdentificationSuggestion.family_id == family.id)
            )
        }
        if to_attach
        else {}
    )
    rejected = {
        (r.kind, r.code): r
        for r in db.session.scalars(select(RejectedCriterion).where(RejectedCriterion.family_id == family.id))
    }
    carried = decisions.may_carry(family)
    groups = []
    for kind in decisions.kinds_of(family):
        titles = dict(carried.get(kind, {}))
        # anything held, suggested or rejected outside the list (another plan's problem): shown too
        for k, code in [*held, *suggestions, *rejected]:
            if k == kind and code not in titles:
                titles[code] = decisions.title_of(family, kind, code)
        rows = []
        for code, title in titles.items():
            key = (kind, code)
            suggestion = suggestions.get(key)
            now = list(suggestion.evidence) if suggestion is not None else []
            if (criterion := held.get(key)) is not None and confirmed(criterion):
                evidence = now or ([criterion.note] if criterion.source == FROM_EVIDENCE and criterion.note else [])
                words = criterion.note if criterion.source != FROM_EVIDENCE else None
                rows.append(
                    Criterion(
                        kind,
                        code,
                        title,
                        criterion.source if criterion.source in STATE_TITLES else CONFIRMED,
                        evidence,
                        _name(criterion.confirmed_by),
                        criterion.confirmed_at or criterion.created_at,
                        words,
                        suggestion is not None,
                    )
                )
            elif (rejection := rejected.get(key)) is not None:
                rows.append(
                    Criterion(
                        kind,
                        code,
                        title,
                        REJECTED,
                        now or list(rejection.evidence),
                        _name(rejection.rejected_by),
                        rejection.rejected_at,
                        rejection.reason,
                        suggestion is not None,
                    )
                )
            elif suggestion is not None:
                rows.append(Criterion(kind, code, title, SUGGESTED, now, suggested_now=True))
            else:
                rows.append(Criterion(kind, code, title, NOT_SHOWN))
        groups.append((HEADINGS[kind], rows))
    counted = [(c.kind, c.code) for _, rows in groups for c in rows if c.counts]
    codes: dict[str, set[str]] = {}
    for kind, code in counted:
        codes.setdefault(kind, set()).add(code)
    waiting = [(c.kind, c.code) for _, rows in groups for c in rows if c.state == SUGGESTED]
    as_of = max((s.as_of for s in suggestions.values()), default=None)
    no_problems = None
    if not carried.get(PROBLEM, True):
        no_problems = f"Headline problems cannot be recorded for this family: {why_not_measured(family)}"
    return FamilyCriteria(
        groups,
        judge(family.programme, codes, decisions.titles_of(family, carried)),
        eligible(family.programme, [*counted, *waiting]),
        as_of,
        no_problems,
        to_attach,
        bool(with_evidence([family.id])) if to_attach and not suggestions else True,
    )
