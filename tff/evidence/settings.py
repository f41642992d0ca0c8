"""Evidence settings an administrator edits: the school term calendar per academic year, the
out-of-work benefit codes, and further event and spell kinds. The constants of
`tff.evidence.kinds` are the defaults; everything else asks the functions here."""

import re
from datetime import date, datetime

from sqlalchemy import JSON, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from tff.evidence.kinds import (
    EVENT_KINDS,
    EVENT_LABELS,
    OUT_OF_WORK_BENEFITS,
    SPELL_KINDS,
    SPELL_LABELS,
    TERMS,
    default_term_dates,
)
from tff.extensions import db
from tff.problems import Refused
from tff.timeutil import utcnow

#: the setting that holds the out-of-work benefit codes
OUT_OF_WORK_KEY = "out_of_work_benefits"
#: the two families of kinds an administrator may add to
EVENT, SPELL = "event", "spell"
KIND_FAMILIES = (EVENT, SPELL)

ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
KIND_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
BENEFIT_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")


class TermCalendar(db.Model):
    """The dates of the three school terms of one academic year (where none is set, the
    default calendar applies)."""

    __tablename__ = "term_calendar"

    #: like 2012/13
    academic_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    autumn_start: Mapped[date]
    autumn_end: Mapped[date]
    spring_start: Mapped[date]
    spring_end: Mapped[date]
    summer_start: Mapped[date]
    summer_end: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def dates(self) -> dict[str, tuple[date, date]]:
        return {term: (getattr(self, f"{term}_start"), getattr(self, f"{term}_end")) for term in TERMS}


class EvidenceSetting(db.Model):
    """A setting held as a JSON value under its key (absent = the default)."""

    __tablename__ = "evidence_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict | list] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EvidenceKind(db.Model):
    """An event or spell kind an administrator added beyond the format's (never removed)."""

    __tablename__ = "evidence_kinds"
    __table_args__ = (Index("uq_evidence_kinds_family_code", "family", "code", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: event or spell
    family: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- the term calendar ------------------------------------------------------------------------


def valid_academic_year(academic_year: str) -> bool:
    found = ACADEMIC_YEAR.match(academic_year or "")
    return bool(found) and (int(found.group(1)) + 1) % 100 == int(found.group(2))


def academic_year_of(first_year: int) -> str:
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def default_calendar(academic_year: str) -> dict[str, tuple[date, date]]:
    return {term: default_term_dates(academic_year, term) for term in TERMS}


def term_calendar(academic_years) -> dict[str, dict[str, tuple[date, date]]]:
    """academic year -> term -> (start, end), for many years in one query (the default
    calendar where a year has none set)."""
    years = set(academic_years)
    found = {}
    if years:
        found = {
            row.academic_year: row.dates()
            for row in db.session.scalars(select(TermCalendar).where(TermCalendar.academic_year.in_(years)))
        }
    return {year: found.get(year) or _default_or_unknown(year) for year in years}


def _default_or_unknown(academic_year: str) -> dict[str, tuple[date, date]]:
    """The default calendar of the year; none (its terms' dates unknown) for a year no
    calendar can place, like `0000/01` held from before years were checked."""
    try:
        return default_calendar(academic_year)
    except (ValueError, OverflowError):
        return {}


def term_end(calendar: dict[str, dict[str, tuple[date, date]]], academic_year: str, term: str) -> date | None:
    """The day a term of `term_calendar()`'s ended; None when its dates are unknown (a year no
    calendar can place, or a term that is not one)."""
    span = calendar.get(academic_year, {}).get(term)
    return span[1] if span else None


def term_dates(academic_year: str, term: str) -> tuple[date, date]:
    """The (start, end) of a term of an academic year like `2012/13`."""
    if term not in TERMS:
        raise ValueError(f"{term!r} is not a term")
    return term_calendar([academic_year])[academic_year][term]


def calendar_problems(dates: dict[str, date | None]) -> dict[str, str]:
    """Field -> problem for the six dates `{term}_start`, `{term}_end`: each term ends on or
    after it starts, and the terms are in order without overlapping."""
    problems = {}
    previous = None
    for term in TERMS:
        start, end = dates.get(f"{term}_start"), dates.get(f"{term}_end")
        name = term.capitalize()
        if start and end and end < start:
            problems[f"{term}_end"] = f"{name} term must end on or after the day it starts"
        if start and previous and previous[1] and start <= previous[1]:
            problems.setdefault(
                f"{term}_start",
                f"{name} term must start after the {previous[0]} term ends ({previous[1]:%-d %B %Y})",
            )
        previous = (term, end)
    return problems


# --- benefits ---------------------------------------------------------------------------------


def out_of_work_codes() -> set[str]:
    """The benefit codes counted as out of work."""
    setting = db.session.get(EvidenceSetting, OUT_OF_WORK_KEY)
    return set(setting.value) if setting is not None else set(OUT_OF_WORK_BENEFITS)


def parse_codes(text: str) -> tuple[list[str], list[str]]:
    """(codes, invalid ones) of benefit codes separated by commas, semicolons or spaces."""
    codes = list(dict.fromkeys(c.upper() for c in re.split(r"[\s,;]+", text or "") if c))
    return [c for c in codes if BENEFIT_CODE.match(c)], [c for c in codes if not BENEFIT_CODE.match(c)]


# --- kinds ------------------------------------------------------------------------------------


def added_kinds(family: str) -> list[EvidenceKind]:
    return list(db.session.scalars(select(EvidenceKind).where(EvidenceKind.family == family).order_by(EvidenceKind.id)))


def event_kinds() -> tuple[str, ...]:
    """The format's event kinds, then those an administrator added."""
    return EVENT_KINDS + tuple(k.code for k in added_kinds(EVENT))


def spell_kinds() -> tuple[str, ...]:
    """The format's spell kinds, then those an administrator added."""
    return SPELL_KINDS + tuple(k.code for k in added_kinds(SPELL))


def kind_labels(family: str) -> dict[str, str]:
    """code -> label of every kind of the family (event or spell)."""
    base = EVENT_LABELS if family == EVENT else SPELL_LABELS
    return {**base, **{k.code: k.label for k in added_kinds(family)}}


# --- changes an administrator makes (each audited, committed with its audit entry) --------------


class SettingRefused(Refused):
    """A setting that cannot be saved."""


def _iso(dates: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in dates.items()}


def set_term_calendar(academic_year: str, dates: dict[str, date], by) -> None:
    from tff.audit.operations import record
    from tff.dates import academic_year_problem

    if problem := academic_year_problem(academic_year, "Academic year"):
        raise SettingRefused({"academic_year": problem})
    fields = [f"{term}_{end}" for term in TERMS for end in ("start", "end")]
    missing = {f: f"Enter the {f.replace('_', ' ')} date" for f in fields if not dates.get(f)}
    if problems := missing or calendar_problems(dates):
        raise SettingRefused(problems)
    held = db.session.get(TermCalendar, academic_year)
    before = (
        {f: getattr(held, f) for f in fields}
        if held
        else {
            f"{t}_{e}": d
            for t, pair in default_calendar(academic_year).items()
            for e, d in zip(("start", "end"), pair, strict=True)
        }
    )
    after = {f: dates[f] for f in fields}
    if held is None:
        held = TermCalendar(academic_year=academic_year)
        db.session.add(held)
    for f in fields:
        setattr(held, f, dates[f])
    record(
        "evidence.term_calendar",
        "term_calendar",
        academic_year,
        f"School term dates of {academic_year} set",
        before=_iso(before),
        after=_iso(after),
        user=by,
    )
    db.session.commit()


def set_out_of_work_codes(text: str, by) -> list[str]:
    from tff.audit.operations import record

    codes, invalid = parse_codes(text)
    if invalid:
        raise SettingRefused(
            {"codes": f"Benefit codes are letters and digits, like JSA: {', '.join(invalid[:5])} is not"}
        )
    if not codes:
        raise SettingRefused({"codes": "Enter at least one benefit code"})
    before = sorted(out_of_work_codes())
    setting = db.session.get(EvidenceSetting, OUT_OF_WORK_KEY)
    if setting is None:
        db.session.add(EvidenceSetting(key=OUT_OF_WORK_KEY, value=codes))
    else:
        setting.value = codes
    record(
        "evidence.out_of_work_benefits",
        "evidence_setting",
        OUT_OF_WORK_KEY,
        f"Out-of-work benefits set to {', '.join(codes)}",
        before={"codes": before},
        after={"codes": sorted(codes)},
        user=by,
    )
    db.session.commit()
    return codes


def set_date_range(earliest: date | None, latest: date | None, by) -> tuple[date, date]:
    """The plausible range of every date the product takes (`tff.dates`): what it refuses
    from then on; dates already held are left as they are."""
    from tff.audit.operations import record
    from tff.dates import DATE_RANGE_KEY, WIDEST_RANGE, forget_range, plausible_range, shown

    problems = {}
    lowest, highest = WIDEST_RANGE
    for field, value, name in (("earliest", earliest, "earliest"), ("latest", latest, "latest")):
        if value is None:
            problems[field] = f"Enter the {name} date"
        elif not lowest <= value <= highest:
            problems[field] = f"The {name} date must be between {shown(lowest)} and {shown(highest)}"
    if not problems and latest <= earliest:
        problems["latest"] = "The latest date must be after the earliest date"
    if problems:
        raise SettingRefused(problems)
    before = plausible_range()
    after = {"earliest": earliest.isoformat(), "latest": latest.isoformat()}
    setting = db.session.get(EvidenceSetting, DATE_RANGE_KEY)
    if setting is None:
        db.session.add(EvidenceSetting(key=DATE_RANGE_KEY, value=after))
    else:
        setting.value = after
    record(
        "evidence.date_range",
        "evidence_setting",
        DATE_RANGE_KEY,
        f"Dates accepted set to {shown(earliest)} to {shown(latest)}",
        before={"earliest": before[0].isoformat(), "latest": before[1].isoformat()},
        after=after,
        user=by,
    )
    db.session.commit()
    forget_range()
    return earliest, latest


def add_kind(family: str, code: str, label: str, by) -> EvidenceKind:
    from tff.audit.operations import record

    code, label = (code or "").strip().lower(), (label or "").strip()
    problems = {}
    if family not in KIND_FAMILIES:
        problems["family"] = "Choose whether the kind is of events or of spells"
    if not KIND_CODE.match(code):
        problems["code"] = "Code must start with a letter and have only lower-case letters, digits and underscores"
    elif family in KIND_FAMILIES and code in (event_kinds() if family == EVENT else spell_kinds()):
        problems["code"] = f"Code {code} is already a {family} kind"
    if not label:
        problems["label"] = "Enter a label"
    if problems:
        raise SettingRefused(problems)
    kind = EvidenceKind(family=family, code=code, label=label[:100])
    db.session.add(kind)
    db.session.flush()
    record(
        "evidence.kind_add",
        "evidence_kind",
        kind.id,
        f"{family.capitalize()} kind {code} ({label}) added",
        after={"family": family, "code": code, "label": label},
        user=by,
    )
    db.session.commit()
    return kind
