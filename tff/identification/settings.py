"""Identification settings an administrator holds (identification.md): which absence the
phase one education criterion counts, and the council's own list of local filters. Both are
kept as evidence settings; where none is set, the framework's defaults apply."""

import re

from tff.cases.models.identification import CRITERIA
from tff.evidence.settings import EvidenceSetting, SettingRefused
from tff.extensions import db
from tff.identification.engine import ABSENCE_SETTINGS, ALL, UNAUTHORISED

#: the evidence setting that says which absence the education criterion counts
ABSENCE_KEY = "identification_absence"
#: the evidence setting that holds the council's local filters, in its order
LOCAL_FILTERS_KEY = "identification_local_filters"
#: each absence setting as an administrator reads it
ABSENCE_TITLES = {
    UNAUTHORISED: "Unauthorised absence only: sessions missed without the school's permission (the framework's rule)",
    ALL: "All absence: sessions missed for any reason, with permission or without (attendance below 85%)",
}

FILTER_CODE = re.compile(r"^[a-z0-9_]{1,40}$")
#: the longest title of a local filter
TITLE_LENGTH = 120
#: the most line problems a refusal lists, the rest counted
LINES_SHOWN = 5


def absence_setting() -> str:
    """Which absence the education criterion counts: `unauthorised` unless an administrator chose `all`."""
    setting = db.session.get(EvidenceSetting, ABSENCE_KEY)
    value = setting.value if setting is not None else None
    if isinstance(value, dict):
        value = value.get("absence")
    return value if value in ABSENCE_SETTINGS else UNAUTHORISED


def local_filters() -> dict[str, str]:
    """code -> title of the council's local filters, in the council's order (the framework's
    list where the council has set none). A family keeps a filter it holds when it leaves the
    list: see `filter_title` for how such a one is named."""
    setting = db.session.get(EvidenceSetting, LOCAL_FILTERS_KEY)
    if setting is None:
        return dict(CRITERIA["local"])
    value = setting.value
    pairs = value.items() if isinstance(value, dict) else value if isinstance(value, list) else ()
    found = {}
    for pair in pairs:
        if isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
            found.setdefault(pair[0], pair[1])
    return found


def filter_title(code: str, filters: dict[str, str] | None = None) -> str:
    """The title of a local filter: the council's, else the framework's, else its code (one
    taken off the list that families still hold)."""
    filters = local_filters() if filters is None else filters
    return filters.get(code) or CRITERIA["local"].get(code) or code


def filters_text(filters: dict[str, str]) -> str:
    """The filters as the settings page shows them for editing: one `code: title` a line."""
    return "\n".join(f"{code}: {title}" for code, title in filters.items())


def parse_local_filters(text: str) -> dict[str, str]:
    """code -> title of one filter a line, `code: title`; blank lines ignored. Refused with
    each wrong line named."""
    found: dict[str, str] = {}
    lines: dict[str, int] = {}
    problems = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        code, colon, title = line.partition(":")
        code, title = code.strip(), " ".join(title.split())
        if not colon:
            problems.append(
                f"Line {number}: write the code, a colon, then the title, like "
                "“deprived_area: Lives in a deprived area”"
            )
        elif not code:
            problems.append(f"Line {number}: enter a code before the colon")
        elif not FILTER_CODE.match(code):
            shown = code if len(code) <= 40 else code[:40] + "…"
            reason = (
                "is longer than 40 characters"
                if len(code) > 40
                else "must have only lower-case letters, digits and underscores"
            )
            problems.append(f"Line {number}: the code “{shown}” {reason}")
        elif code in lines:
            problems.append(f"Line {number}: the code {code} is on line {lines[code]} already")
        elif not title:
            problems.append(f"Line {number}: enter a title after the colon")
        elif len(title) > TITLE_LENGTH:
            problems.append(
                f"Line {number}: the title must be {TITLE_LENGTH} characters or fewer (it has {len(title)})"
            )
        else:
            lines[code] = number
            found[code] = title
    if problems:
        more = len(problems) - LINES_SHOWN
        said = "; ".join(problems[:LINES_SHOWN]) + (
            f"; and {more} more line{'s' if more != 1 else ''}" if more > 0 else ""
        )
        raise SettingRefused({"local_filters": said})
    return found


def _absence_problem(value) -> str | None:
    return None if value in ABSENCE_SETTINGS else "Choose which absence counts"


def _store(key: str, value) -> None:
    setting = db.session.get(EvidenceSetting, key)
    if setting is None:
        db.session.add(EvidenceSetting(key=key, value=value))
    else:
        setting.value = value


def _write_absence(value: str, by) -> bool:
    """Keep the absence setting with its audit entry (not committed); False when it is so already."""
    from tff.audit.operations import record

    before = absence_setting()
    if value == before:
        return False
    _store(ABSENCE_KEY, {"absence": value})
    record(
        "identification.absence",
        "evidence_setting",
        ABSENCE_KEY,
        f"The education criterion counts {'all absence' if value == ALL else 'unauthorised absence only'}",
        before={"absence": before},
        after={"absence": value},
        user=by,
    )
    return True


def _write_filters(filters: dict[str, str], by) -> bool:
    """Keep the local filters with their audit entry (not committed); False when they are so already."""
    from tff.audit.operations import record

    before = local_filters()
    if list(before.items()) == list(filters.items()):
        return False
    _store(LOCAL_FILTERS_KEY, [[code, title] for code, title in filters.items()])
    record(
        "identification.local_filters",
        "evidence_setting",
        LOCAL_FILTERS_KEY,
        f"Local filters set to {', '.join(filters)}" if filters else "Local filters set to none",
        before={"filters": [f"{code}: {title}" for code, title in before.items()]},
        after={"filters": [f"{code}: {title}" for code, title in filters.items()]},
        user=by,
    )
    return True


def set_absence(value: str, by) -> str:
    """Which absence the education criterion counts from now: `unauthorised` or `all`.
    Suggestions already worked out stay until they are worked out again."""
    if problem := _absence_problem(value):
        raise SettingRefused({"absence": problem})
    _write_absence(value, by)
    db.session.commit()
    return value


def set_local_filters(text: str, by) -> dict[str, str]:
    """The council's local filters from now, one `code: title` a line. A filter taken off the
    list stays with the families that hold it (and still counts for them); none can then be
    given one. With no filters, a phase one family is eligible only on all three national
    criteria."""
    filters = parse_local_filters(text)
    _write_filters(filters, by)
    db.session.commit()
    return filters


def set_identification(absence: str, text: str, by) -> tuple[bool, bool]:
    """Both settings of the settings page together, or neither: (absence changed, filters
    changed)."""
    problems = {}
    if problem := _absence_problem(absence):
        problems["absence"] = problem
    try:
        filters = parse_local_filters(text)
    except SettingRefused as exc:
        problems.update(exc.problems)
    if problems:
        raise SettingRefused(problems)
    changed = _write_absence(absence, by), _write_filters(filters, by)
    db.session.commit()
    return changed
