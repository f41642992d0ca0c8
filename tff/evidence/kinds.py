"""The kinds and codes of evidence that `data-formats.md` fixes: the defaults, to which an
administrator adds kinds and changes the lists in the evidence settings (`settings.py`)."""

from datetime import date

EVENT_KINDS = (
    "asb",
    "offence",
    "fixed_exclusion",
    "permanent_exclusion",
    "domestic_abuse",
    "missing_episode",
    "police_callout",
)

SPELL_KINDS = ("benefit", "employment", "work_programme", "esf", "cin_plan", "cp_plan", "looked_after")

#: benefit codes the format names (others are accepted: the list is open, "...")
BENEFIT_CODES = ("JSA", "ESA", "IS", "IB", "SDA", "UC", "CA", "DLA", "PIP", "HB")
#: out-of-work benefits, unless an administrator changes the list
OUT_OF_WORK_BENEFITS = frozenset({"JSA", "ESA", "IS", "IB", "SDA"})

TERMS = ("autumn", "spring", "summer")


def default_term_dates(academic_year: str, term: str) -> tuple[date, date]:
    """The default calendar: autumn 1 Sep - 31 Dec, spring 1 Jan - 31 Mar, summer 1 Apr - 31 Jul
    (`academic_year` like `2012/13`)."""
    first = int(academic_year[:4])
    if term == "autumn":
        return date(first, 9, 1), date(first, 12, 31)
    if term == "spring":
        return date(first + 1, 1, 1), date(first + 1, 3, 31)
    if term == "summer":
        return date(first + 1, 4, 1), date(first + 1, 7, 31)
    raise ValueError(f"{term!r} is not a term")


#: why a row is held unmatched
NO_MATCH = "no_match"
AMBIGUOUS = "ambiguous"
#: states of an unmatched row
OPEN, ATTACHED, DISMISSED = "open", "attached", "dismissed"

EVENT_LABELS = {
    "asb": "Anti-social behaviour",
    "offence": "Offence",
    "fixed_exclusion": "Fixed-term exclusion",
    "permanent_exclusion": "Permanent exclusion",
    "domestic_abuse": "Domestic abuse incident",
    "missing_episode": "Missing episode",
    "police_callout": "Police call-out",
}
SPELL_LABELS = {
    "benefit": "Benefit",
    "employment": "Employment",
    "work_programme": "Work Programme",
    "esf": "ESF employment provision",
    "cin_plan": "Child in Need plan",
    "cp_plan": "Child Protection plan",
    "looked_after": "Looked after",
}
