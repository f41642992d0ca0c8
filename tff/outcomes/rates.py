"""Phase one's rate table as an administrator sets it: the attachment fee and the three
results' rates, in whole pounds, by financial year of attachment. Where none is stored, the
spec's table (`phase1.default_rates()`) applies. The table is held as one JSON value in the
evidence settings table, under its own key."""

import re
from collections.abc import Mapping
from types import MappingProxyType

from tff.evidence.settings import EvidenceSetting, SettingRefused
from tff.extensions import db
from tff.outcomes.phase1 import Rates, default_rates

#: the setting that holds the rate table
RATES_KEY = "phase1_rates"
#: the columns of a row, in the order they are shown
COLUMNS = ("attachment_fee", "crime_asb_education", "progress_to_work", "continuous_employment")
#: column -> how people read it
COLUMN_LABELS = {
    "attachment_fee": "attachment fee",
    "crime_asb_education": "crime/ASB/education",
    "progress_to_work": "progress to work",
    "continuous_employment": "continuous employment",
}
FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
#: the largest amount accepted in one cell (no rate of the programme comes near it)
MOST_POUNDS = 10_000_000


def valid_financial_year(year) -> bool:
    """A financial year like 2012/13: two consecutive years."""
    found = FINANCIAL_YEAR.match(year) if isinstance(year, str) else None
    return bool(found) and (int(found.group(1)) + 1) % 100 == int(found.group(2))


def _table(rates: Mapping[str, Rates]) -> dict[str, dict[str, int]]:
    return {year: {c: getattr(rates[year], c) for c in COLUMNS} for year in sorted(rates)}


def phase1_rates() -> Mapping[str, Rates]:
    """Financial year of attachment -> rates: the stored table, else the spec's."""
    setting = db.session.get(EvidenceSetting, RATES_KEY)
    if setting is None:
        return default_rates()
    return MappingProxyType({year: Rates(**{c: int(row[c]) for c in COLUMNS}) for year, row in setting.value.items()})


def rate_problems(table: dict) -> dict[str, str]:
    """Key -> problem of a rate table: `year` keys for a year itself (`{year}` or `{year}.year`),
    `{year}.{column}` for an amount; empty when the table may be stored."""
    problems: dict[str, str] = {}
    if not isinstance(table, dict) or not table:
        return {"table": "Enter the rates of at least one financial year"}
    for year, row in table.items():
        if not valid_financial_year(year):
            problems[f"{year}.year"] = f"{year or 'An empty year'}: the financial year must be like 2012/13"
            continue
        if not isinstance(row, dict):
            problems[f"{year}.year"] = f"{year}: enter the rates of the year"
            continue
        whole = {}
        for column in COLUMNS:
            value = row.get(column)
            label = COLUMN_LABELS[column]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems[f"{year}.{column}"] = f"{year} {label}: must be a whole number of pounds, 0 or more"
            elif value > MOST_POUNDS:
                problems[f"{year}.{column}"] = f"{year} {label}: must be £{MOST_POUNDS:,} or less"
            else:
                whole[column] = value
        for column in sorted(set(row) - set(COLUMNS)):
            problems[f"{year}.{column}"] = f"{year} {column}: is not a column of the rate table"
        employment, progress = whole.get("continuous_employment"), whole.get("progress_to_work")
        if employment is not None and progress is not None and employment < progress:
            problems[f"{year}.continuous_employment"] = (
                f"{year} continuous employment: must be at least the progress to work rate (£{progress:,})"
            )
    return problems


def set_phase1_rates(table: dict[str, dict[str, int]], by) -> Mapping[str, Rates]:
    """Store the whole rate table (years added, changed or left out), audited with what it was
    and what it is, in one commit; refused with every problem at once (`SettingRefused`)."""
    from tff.audit.operations import record

    if problems := rate_problems(table):
        raise SettingRefused(problems)
    after = {year: {c: table[year][c] for c in COLUMNS} for year in sorted(table)}
    before = _table(phase1_rates())
    setting = db.session.get(EvidenceSetting, RATES_KEY)
    if setting is None:
        db.session.add(EvidenceSetting(key=RATES_KEY, value=after))
    else:
        setting.value = after
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(y for y in set(after) & set(before) if after[y] != before[y])
    said = [
        f"{what} {', '.join(years)}"
        for what, years in (("added", added), ("changed", changed), ("removed", removed))
        if years
    ]
    record(
        "outcomes.phase1_rates",
        "evidence_setting",
        RATES_KEY,
        "Phase one rates set" + (f": {'; '.join(said)}" if said else " (unchanged)"),
        before={"rates": before},
        after={"rates": after},
        user=by,
    )
    db.session.commit()
    return phase1_rates()
