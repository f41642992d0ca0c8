"""Which member an evidence row is about, for a batch of rows in a handful of queries.

The order is the format's (`data-formats.md`): `person_ref`, then `upn`, then `nino`, then the
name triple (first name, last name, date of birth, names compared by `name_key`) when no key
above matches. Keys that point at two different people, or a name triple that fits more than
one, make the row ambiguous; a row that fits nobody has no match. Both are held for a person to
resolve, with close name matches as suggestions (never applied).
"""

from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz
from sqlalchemy import or_, select

from tff.cases.models import Member
from tff.cases.models.member import name_key
from tff.cases.validation import nino_problem, normalise_nino, normalise_upn, upn_problem
from tff.evidence.kinds import AMBIGUOUS, NO_MATCH
from tff.extensions import db
from tff.imports.kinds.base import Cells, among, shown

IDENTITY = ("person_ref", "upn", "nino", "first_name", "last_name", "date_of_birth")
NAMES = ("first_name", "last_name", "date_of_birth")
#: a name this close (0-100, rapidfuzz's ratio) to the row's, born the same day, is suggested
SIMILAR = 80
#: suggestions kept for a row
SUGGESTIONS = 5


@dataclass(frozen=True, slots=True)
class Match:
    """A row's member (`member_id`), or why it has none and who it could be. (Made for every
    row of files of millions: kept light.)"""

    member_id: int | None = None
    why: str | None = None
    #: when ambiguous: the person_refs it could be
    candidates: tuple[str, ...] = ()


#: a row that matches nobody
NOBODY = Match(why=NO_MATCH)


def identity_problems(columns) -> list[str]:
    """The header must offer at least one way of naming a person."""
    columns = set(columns)
    if columns & {"person_ref", "upn", "nino"} or set(NAMES) <= columns:
        return []
    return [
        "The file has no identity columns: it needs person_ref, upn or nino, "
        "or first_name, last_name and date_of_birth together."
    ]


def parse_identity(c: Cells) -> dict:
    """The row's identity cells, normalised; a reason when they give no way to find a person.
    (Run for every row of files of millions: an empty cell costs one dict lookup.)"""
    cells = c.cells
    values = {"person_ref": c.text("person_ref", max_length=40) if cells.get("person_ref") else None}
    raw_upn = cells.get("upn")
    values["upn"] = normalise_upn(raw_upn) if raw_upn else None
    if values["upn"] and upn_problem(values["upn"]):
        c.problem("upn", f"upn {shown(raw_upn)} is not a Unique Pupil Number (a letter then 12 digits)")
        values["upn"] = None
    raw_nino = cells.get("nino")
    values["nino"] = normalise_nino(raw_nino) if raw_nino else None
    if values["nino"] and nino_problem(values["nino"]):
        c.problem(
            "nino",
            f"nino {shown(raw_nino)} is not a National Insurance number "
            "(two letters, six digits and a letter A to D, like QQ123456C)",
        )
        values["nino"] = None
    if cells.get("first_name") or cells.get("last_name") or cells.get("date_of_birth"):
        values["first_name"] = c.text("first_name", max_length=100)
        values["last_name"] = c.text("last_name", max_length=100)
        values["date_of_birth"] = c.date("date_of_birth")
    else:
        values["first_name"] = values["last_name"] = values["date_of_birth"] = None
    if values["person_ref"] or values["upn"] or values["nino"]:
        return values
    has_names = all(values[k] for k in NAMES)
    invalid = c.invalid & set(IDENTITY)
    if not has_names and not invalid:
        given = [k for k in NAMES if values[k]]
        missing = [k for k in NAMES if not values[k]]
        if given:
            c.reasons.append(
                f"the row names nobody: it has {', '.join(given)} but not {', '.join(missing)}, "
                "and no person_ref, upn or nino"
            )
        else:
            c.reasons.append("the row names nobody: person_ref, upn, nino and the names are all empty")
    return values


def _names_key(values: dict) -> tuple[str, str, date] | None:
    if all(values.get(k) for k in NAMES):
        return name_key(values["first_name"]), name_key(values["last_name"]), values["date_of_birth"]
    return None


def match_refs(refs: list[str]) -> list[Match]:
    """Each row's match when the file names people by person_ref alone (as a product's own
    extracts do): one query, and a lookup a row."""
    query = select(Member.person_ref, Member.id).where(among(Member.person_ref, set(refs)))
    found = {ref: Match(member_id=member_id) for ref, member_id in db.session.execute(query)}
    return [found.get(ref, NOBODY) for ref in refs]


def match_rows(rows: list[dict]) -> list[Match]:
    """Each row's match, in the rows' order: at most four queries for the batch."""
    columns = (Member.id, Member.person_ref)
    keys = ("person_ref", "upn", "nino")
    by: dict[str, dict] = {}
    refs: dict[int, str] = {}
    for key in keys:
        wanted = {r[key] for r in rows if r.get(key)}
        by[key] = {}
        if wanted:
            column = getattr(Member, key)
            for member_id, ref, value in db.session.execute(select(*columns, column).where(among(column, wanted))):
                by[key][value] = member_id
                refs[member_id] = ref
    by_ref, by_upn, by_nino = by["person_ref"], by["upn"], by["nino"]
    # The people each row's keys name (most rows give one key, found: one dict lookup).
    found: list[set[int]] = []
    for r in rows:
        ids = set()
        if (ref := r.get("person_ref")) and (member_id := by_ref.get(ref)):
            ids.add(member_id)
        if (upn := r.get("upn")) and (member_id := by_upn.get(upn)):
            ids.add(member_id)
        if (nino := r.get("nino")) and (member_id := by_nino.get(nino)):
            ids.add(member_id)
        found.append(ids)
    # The name triple, only for rows no key found.
    triples: dict[tuple, list[int]] = {}
    needing = {t for r, ids in zip(rows, found, strict=True) if not ids and (t := _names_key(r))}
    if needing:
        query = select(*columns, Member.first_key, Member.last_key, Member.date_of_birth).where(
            among(Member.last_key, {t[1] for t in needing}), among(Member.date_of_birth, {t[2] for t in needing})
        )
        for member_id, ref, first, last, born in db.session.execute(query):
            if (first, last, born) in needing:
                triples.setdefault((first, last, born), []).append(member_id)
                refs[member_id] = ref
    matches = []
    for r, ids in zip(rows, found, strict=True):
        if len(ids) == 1:
            matches.append(Match(member_id=next(iter(ids))))
        elif ids:
            matches.append(Match(why=AMBIGUOUS, candidates=tuple(sorted(refs[i] for i in ids))))
        else:
            people = triples.get(_names_key(r), []) if needing else []
            if len(people) == 1:
                matches.append(Match(member_id=people[0]))
            elif people:
                matches.append(Match(why=AMBIGUOUS, candidates=tuple(sorted(refs[i] for i in people))))
            else:
                matches.append(NOBODY)
    return matches


def _full(first: str | None, last: str | None) -> str:
    return f"{name_key(first)} {name_key(last)}".strip()


def suggestions(rows: list[dict], matches: list[Match]) -> list[list[dict]]:
    """Close matches for each unmatched row (others get []), in two queries for the batch: the
    candidates of an ambiguous row, people born the same day with a similar name (a typo, first
    and last name swapped), and people with the same names born on another day."""
    unmatched = [(r, m) for r, m in zip(rows, matches, strict=True) if m.member_id is None]
    if not unmatched:
        return [[] for _ in rows]
    columns = (Member.person_ref, Member.first_name, Member.last_name, Member.date_of_birth, Member.first_key)
    columns += (Member.last_key,)
    dobs = {r["date_of_birth"] for r, _ in unmatched if r.get("date_of_birth")}
    lasts = {name_key(r["last_name"]) for r, _ in unmatched if r.get("last_name")}
    firsts = {name_key(r["first_name"]) for r, _ in unmatched if r.get("first_name")}
    refs = {ref for _, m in unmatched for ref in m.candidates}
    conditions = []
    if dobs:
        conditions.append(among(Member.date_of_birth, dobs))
    if lasts and firsts:
        conditions.append(among(Member.last_key, lasts) & among(Member.first_key, firsts))
    if refs:
        conditions.append(among(Member.person_ref, refs))
    people = db.session.execute(select(*columns).where(or_(*conditions))).all() if conditions else []
    by_dob: dict[date, list] = {}
    by_names: dict[tuple[str, str], list] = {}
    by_ref = {}
    for p in people:
        by_dob.setdefault(p.date_of_birth, []).append(p)
        by_names.setdefault((p.first_key, p.last_key), []).append(p)
        by_ref[p.person_ref] = p

    def entry(p, score: float, why: str) -> dict:
        return {
            "person_ref": p.person_ref,
            "name": f"{p.first_name} {p.last_name}",
            "date_of_birth": p.date_of_birth.isoformat(),
            "score": round(score),
            "why": why,
        }

    result = []
    for r, m in zip(rows, matches, strict=True):
        if m.member_id is not None:
            result.append([])
            continue
        found: dict[str, dict] = {}
        for ref in m.candidates:
            if ref in by_ref:
                found[ref] = entry(by_ref[ref], 100, "fits the row's identity columns")
        name = _full(r.get("first_name"), r.get("last_name"))
        swapped = _full(r.get("last_name"), r.get("first_name"))
        if name and r.get("date_of_birth"):
            for p in by_dob.get(r["date_of_birth"], []):
                theirs = f"{p.first_key} {p.last_key}"
                straight, crossed = fuzz.ratio(name, theirs), fuzz.ratio(swapped, theirs)
                if max(straight, crossed) >= SIMILAR and p.person_ref not in found:
                    why = (
                        "same date of birth, first and last name swapped"
                        if crossed > straight
                        else ("same date of birth, a similar name")
                    )
                    found[p.person_ref] = entry(p, max(straight, crossed), why)
        if r.get("first_name") and r.get("last_name"):
            for p in by_names.get((name_key(r["first_name"]), name_key(r["last_name"])), []):
                if p.person_ref not in found:
                    found[p.person_ref] = entry(p, 90, "same name, another date of birth")
        ranked = sorted(found.values(), key=lambda s: (-s["score"], s["person_ref"]))
        result.append(ranked[:SUGGESTIONS])
    return result
