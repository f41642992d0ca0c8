"""Whole evidence files (attendance, events, spells), generated and hostile.

Generated files mix rows that must be accepted, rows held as unmatched and rows with bad cells
(unknown kinds, impossible dates, negative numbers, huge cells, formula-like cells, quoted line
breaks, extra and missing cells) among members with unicode names: every row is counted once,
every rejected row is kept with the line it starts on and its reasons, the accepted rows are
stored, the same file again stores nothing new, and the rejection report neutralises formulas.

Hostile files for the evidence formats: not UTF-8, a byte-order mark, an unknown or a missing
column, and overlapping extracts.
"""

import csv
import io
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from tests.helpers import sign_in
from tests.imports_support import (
    ATTENDANCE_HEADER,
    EVENT_HEADER,
    SPELL_HEADER,
    attendance_csv,
    csv_bytes,
    events_csv,
    families_csv,
    family,
    member,
    members_csv,
    run_import,
    spells_csv,
)
from tff.audit.models import AuditEntry
from tff.cases.models import Member
from tff.evidence.kinds import BENEFIT_CODES, EVENT_KINDS, SPELL_KINDS, TERMS
from tff.evidence.models import AttendanceRecord, Event, Spell, UnmatchedRow
from tff.extensions import db
from tff.imports.models import ImportFileChunk, ImportRejection

#: what a spreadsheet reads as the start of a formula: the report must start such a cell with '
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = ["=1+1", "+cmd", "@SUM(A1)", "-2+3", '=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0"]
HEADERS = {"events": EVENT_HEADER, "spells": SPELL_HEADER, "attendance": ATTENDANCE_HEADER}


# --- the people the rows are about ------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    ref: str
    first: str
    last: str
    born: str
    upn: str = ""
    nino: str = ""
    #: the name triple fits this person alone
    names_unique: bool = True


PEOPLE = [
    Person("F001-01", "Amy", "Smith", "1980-05-01", nino="QQ123456C", names_unique=False),
    Person("F001-02", "Liam", "Smith", "2005-09-01", upn="A123456789012"),
    Person("F001-03", "Zoe", "Brown", "2007-03-04"),
    Person("F002-01", "Amy", "Smith", "1980-05-01", names_unique=False),
    Person("F003-01", "Zoë", "Ødegård-O'Neill", "1990-01-01", nino="AB123456D"),
    Person("F003-02", "Siobhán", "Ní Bhriain", "2006-06-06", upn="B987654321098"),
    Person("F003-03", "李", "小龍", "2008-08-08"),
    Person("F003-04", "José-María", "Nuñez Ávila", "2009-12-31"),
]


def _load_people(app) -> None:
    families = families_csv(family("F001"), family("F002"), family("F003"))
    assert run_import(app, "families", families).accepted == 3
    people = [
        member(p.ref, family_ref=p.ref[:4], first_name=p.first, last_name=p.last, date_of_birth=p.born)
        | {"upn": p.upn, "nino": p.nino}
        for p in PEOPLE
    ]
    result = run_import(app, "members", members_csv(*people))
    assert (result.accepted, result.rejected) == (len(PEOPLE), 0), result.rejections


def _start_afresh(app) -> None:
    """Empty every table but the users' (the signed-in coordinator stays), then the people again."""
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in ("users", "teams"):
                db.session.execute(delete(table))
        db.session.commit()
    _load_people(app)


@pytest.fixture
def people(clean):
    _load_people(clean)
    return clean


# --- generated rows -------------------------------------------------------------------------------


@dataclass
class Line:
    """A row of a generated file: its cells by column, what must become of it, and (accepted)
    the record it must leave, as (key, value)."""

    cells: dict
    outcome: str  # accepted, unmatched or rejected
    record: tuple | None = None
    #: cells as written, in the header's order (after any cut or extra cells)
    written: list = field(default_factory=list)


def _no_ends(text: str) -> str:
    return text.strip()


#: free text as people type it: unicode, commas, quotes, line breaks inside the cell, formulas
free_text = st.lists(
    st.one_of(
        st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12),
        st.sampled_from([",", '"', "\n", "\r\n", "\n\n", "Zoë", "李小龍", "O'Neill", "café", " ; ", *FORMULAS]),
    ),
    max_size=6,
).map(lambda parts: _no_ends("".join(parts)))


@st.composite
def identity(draw, index: int, outcome: str) -> tuple[dict, str | None]:
    """Identity cells naming one person (the person_ref found), or, unmatched, nobody or two people."""
    cells = dict.fromkeys(["person_ref", "upn", "nino", "first_name", "last_name", "date_of_birth"], "")
    if outcome == "unmatched":
        if draw(st.booleans()):
            cells["person_ref"] = f"NOBODY-{index}"
        else:  # the name triple fits two people
            cells.update(first_name="amy", last_name="SMITH", date_of_birth="1980-05-01")
        return cells, None
    person = draw(st.sampled_from(PEOPLE))
    ways = ["person_ref"]
    if person.upn:
        ways.append("upn")
    if person.nino:
        ways.append("nino")
    if person.names_unique:
        ways.append("names")
    way = draw(st.sampled_from(ways))
    if way == "person_ref":
        cells["person_ref"] = person.ref
    elif way == "upn":
        cells["upn"] = draw(st.sampled_from([person.upn, person.upn.lower()]))
    elif way == "nino":
        nino = person.nino
        cells["nino"] = draw(st.sampled_from([nino, nino.lower(), f"{nino[:2]} {nino[2:4]} {nino[4:6]} {nino[6:]}"]))
    else:
        cells["first_name"] = draw(st.sampled_from([person.first, person.first.upper(), person.first.lower()]))
        cells["last_name"] = draw(
            st.sampled_from([person.last, person.last.upper(), person.last.replace("-", " ").replace("'", "’")])
        )
        cells["date_of_birth"] = person.born
    return cells, person.ref


dates = st.dates(date(2010, 1, 1), date(2016, 12, 31))
sources = st.sampled_from(["", "police", "asb_unit", "yot", "school", "dwp"])


@st.composite
def event_line(draw, index: int, outcome: str) -> Line:
    cells, ref = draw(identity(index, outcome))
    day = draw(dates).isoformat()
    reference = draw(st.sampled_from(["", f"E{index}", f"=E{index}", f"police/{index}"]))
    source = draw(sources)
    cells |= {"kind": draw(st.sampled_from(EVENT_KINDS)), "date": day, "reference": reference, "source": source}
    cells["detail"] = draw(free_text)
    record = None
    if ref:
        value = (ref, cells["kind"], day, reference or None, source, cells["detail"])
        # without a reference, the same person, kind, date and detail is a repeat (source aside)
        key = ("ref", source, reference) if reference else (ref, cells["kind"], day, cells["detail"])
        record = (key, value)
    return Line(cells, outcome, record)


@st.composite
def spell_line(draw, index: int, outcome: str) -> Line:
    cells, ref = draw(identity(index, outcome))
    kind = draw(st.sampled_from(SPELL_KINDS))
    detail = (
        draw(st.sampled_from(BENEFIT_CODES)) if kind == "benefit" else draw(free_text.map(lambda t: _no_ends(t[:150])))
    )
    start = draw(dates)
    end = "" if draw(st.booleans()) else (start + timedelta(days=draw(st.integers(0, 800)))).isoformat()
    reference = draw(st.sampled_from(["", f"S{index}", f"@S{index}"]))
    source = draw(sources)
    cells |= {
        "kind": kind,
        "start_date": start.isoformat(),
        "end_date": end,
        "detail": detail,
        "reference": reference,
        "source": source,
    }
    record = None
    if ref:
        key = ("ref", source, reference) if reference else (ref, kind, detail, start.isoformat())
        record = (key, (ref, kind, detail, start.isoformat(), end or None, reference or None, source))
    return Line(cells, outcome, record)


@st.composite
def attendance_line(draw, index: int, outcome: str) -> Line:
    cells, ref = draw(identity(index, outcome))
    year = draw(st.integers(2010, 2016))
    academic_year = f"{year}/{(year + 1) % 100:02d}"
    possible = draw(st.integers(0, 400))
    authorised = draw(st.none() | st.integers(0, possible))
    unauthorised = draw(st.integers(0, possible - (authorised or 0)))
    school = draw(st.sampled_from(["", "Hill Primary", "École Française", "=1+1", "Hill\nPrimary"]) | free_text)
    cells |= {
        "academic_year": academic_year,
        "term": draw(st.sampled_from(TERMS)),
        "possible_sessions": str(possible),
        "authorised_absence_sessions": "" if authorised is None else str(authorised),
        "unauthorised_absence_sessions": str(unauthorised),
        "school": school,
    }
    record = None
    if ref:
        key = (ref, academic_year, cells["term"], school)
        record = (key, (*key, possible, authorised, unauthorised))
    return Line(cells, outcome, record)


LINES = {"events": event_line, "spells": spell_line, "attendance": attendance_line}

huge = st.integers(3_000, 40_000).map(lambda n: "x" * n)
bad_dates = st.sampled_from(["2013-02-30", "2014-02-29", "2013-13-01", "2013-00-10", "31/03/2013", "2013-2-3"])
bad_dates |= st.sampled_from(["-2013-01-01", "=TODAY()", "yesterday", "2013-01-01T10:00"])


def _not_a(choices):
    """Text that is not one of `choices`, as the product compares them (case and spaces aside)."""
    texts = st.sampled_from(["burglary", "Ofence", "benefits", "winter", "Autumn term", *FORMULAS]) | st.text(
        string.ascii_letters + "_ =+@-", min_size=1, max_size=20
    )
    return texts.filter(lambda t: t.strip().lower() not in choices and t.strip())


#: for each format, (column, bad cells): a cell any of which rejects its row
BAD_CELLS = {
    "common": [
        ("upn", st.sampled_from(["A1", "1234567890123", "=A123456789012"])),
        ("nino", st.sampled_from(["12345", "QQ123456E", "@QQ123456C"])),
        ("date_of_birth", bad_dates),
        ("person_ref", st.integers(41, 5000).map(lambda n: "P" * n)),
    ],
    "events": [
        ("kind", _not_a(EVENT_KINDS)),
        ("date", bad_dates | st.just("")),
        ("detail", huge),
        ("reference", st.integers(101, 3000).map(lambda n: "=" + "R" * n)),
        ("source", st.integers(41, 400).map(lambda n: "+" + "s" * n)),
    ],
    "spells": [
        ("kind", _not_a(SPELL_KINDS)),
        ("start_date", bad_dates | st.just("")),
        ("end_date", bad_dates),
        ("detail", huge),
        ("reference", st.integers(101, 3000).map(lambda n: "R" * n)),
    ],
    "attendance": [
        ("academic_year", st.sampled_from(["2012/14", "2012-13", "12/13", "2012/2013", "=2012/13", ""])),
        ("term", _not_a(TERMS) | st.just("")),
        ("possible_sessions", st.sampled_from(["-1", "1.5", "+5", "=1+1", "ten", "", "1e3", "-0.5"])),
        ("authorised_absence_sessions", st.sampled_from(["-3", "@SUM(A1)", "2.0", "x"])),
        ("unauthorised_absence_sessions", st.sampled_from(["-1", "", "=A1", " 1 2 "])),
        ("school", huge),
    ],
}


@st.composite
def rejected_line(draw, kind: str, index: int, columns: list[str]) -> Line:
    """A row that would be accepted or held, with one or more things wrong that reject it."""
    line = draw(LINES[kind](index, draw(st.sampled_from(["accepted", "unmatched"]))))
    cells = dict(line.cells)
    faults = draw(
        st.lists(
            st.sampled_from(["cell", "cell", "cell", "extra", "missing", "nobody", "rule"]),
            min_size=1,
            max_size=3,
        )
    )
    written = None
    for fault in faults:
        if fault == "cell":
            column, bad = draw(st.sampled_from(BAD_CELLS["common"] + BAD_CELLS[kind]))
            cells[column] = draw(bad)
        elif fault == "nobody":
            cells.update(dict.fromkeys(["person_ref", "upn", "nino", "first_name", "last_name", "date_of_birth"], ""))
        elif fault == "rule":  # a rule between cells
            if kind == "events":
                cells["kind"] = ""
            elif kind == "spells":
                cells.update(kind="benefit", detail="")
                if draw(st.booleans()):
                    cells.update(start_date="2013-05-02", end_date="2013-05-01", detail="JSA")
            else:
                cells.update(possible_sessions="10", authorised_absence_sessions="3", unauthorised_absence_sessions="8")
    written = [cells[c] for c in columns]
    # One or the other: cut short and then given extra cells, a row can have the header's number
    # of cells again, and be an ordinary row.
    if "missing" in faults:
        written = written[: draw(st.integers(1, len(columns) - 1))]
    elif "extra" in faults:
        written += draw(st.lists(st.sampled_from(["", "extra", *FORMULAS]) | free_text, min_size=1, max_size=3))
    if not any(cell.strip() for cell in written):
        written[0] = "=stray"  # a row of empty cells is no row at all: keep one cell
    return Line(cells, "rejected", None, written)


@st.composite
def evidence_file(draw, kind: str):
    """(file bytes, normalised columns in the file's order, lines each with the line it starts on)."""
    columns = draw(st.permutations(HEADERS[kind]))
    header = [draw(st.sampled_from([c, c.upper(), f" {c.title()} "])) for c in columns]
    outcomes = st.sampled_from(["accepted", "accepted", "unmatched", "rejected", "rejected"])
    outcomes = draw(st.lists(outcomes, min_size=3, max_size=30))
    lines = []
    for index, outcome in enumerate(outcomes, start=1):
        if outcome == "rejected":
            line = draw(rejected_line(kind, index, columns))
        else:
            line = draw(LINES[kind](index, outcome))
            line.written = [line.cells[c] for c in columns]
        lines.append(line)
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=newline)
    writer.writerow(header)
    starts = []
    for line in lines:
        for _ in range(draw(st.integers(0, 1) | st.just(0))):
            text.write(draw(st.sampled_from(["", ",,", " , "])) + newline)  # no rows, but lines
        starts.append(text.getvalue().count("\n") + 1)
        writer.writerow(line.written)
    data = text.getvalue().encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data, columns, list(zip(starts, lines, strict=True))


# --- what the database and the pages show --------------------------------------------------------


def _stored(app, kind: str) -> list[tuple]:
    """The evidence stored, as the generated records describe it."""
    with app.app_context():
        if kind == "events":
            query = select(Member.person_ref, Event.kind, Event.date, Event.reference, Event.source, Event.detail)
            query = query.join(Member, Event.member_id == Member.id)
            rows = [(p, k, d.isoformat(), r, s, t) for p, k, d, r, s, t in db.session.execute(query)]
        elif kind == "spells":
            query = select(
                Member.person_ref, Spell.kind, Spell.detail, Spell.start_date, Spell.end_date, Spell.reference
            ).add_columns(Spell.source)
            query = query.join(Member, Spell.member_id == Member.id)
            rows = [
                (p, k, d, s.isoformat(), e.isoformat() if e else None, r, src)
                for p, k, d, s, e, r, src in db.session.execute(query)
            ]
        else:
            query = select(
                Member.person_ref,
                AttendanceRecord.academic_year,
                AttendanceRecord.term,
                AttendanceRecord.school,
                AttendanceRecord.possible,
                AttendanceRecord.authorised,
                AttendanceRecord.unauthorised,
            ).join(Member, AttendanceRecord.member_id == Member.id)
            rows = [tuple(r) for r in db.session.execute(query)]
    return sorted(rows, key=repr)


def _held(app) -> list[tuple[int, int]]:
    """(run, line) of the rows held as unmatched."""
    with app.app_context():
        return sorted(db.session.execute(select(UnmatchedRow.run_id, UnmatchedRow.line)).all())


def _expected(kind: str, records: list[tuple]) -> dict:
    """What the accepted rows must leave, by the format's idempotency: a repeated event stores
    nothing; a spell again (same person, kind, detail and start) takes the later end date; a
    term again (same person, year, term and school) takes the later row's numbers."""
    found = {}
    for key, value in records:
        if key not in found or kind == "attendance":
            found[key] = value
        elif kind == "spells":
            found[key] = (*found[key][:4], value[4], *found[key][5:])
    return found


def _neutral(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _report(client, run_id: int) -> list[list[str]]:
    response = client.get(f"/imports/{run_id}/rejections.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def _check_file(app, client, kind: str, data: bytes, columns: list[str], lines: list[tuple[int, Line]]) -> None:
    first = run_import(app, kind, data)
    assert first.state == "succeeded", first.message
    # Every row counted once, as the format says it must end.
    expected = {o: [n for n, line in lines if line.outcome == o] for o in ("accepted", "rejected", "unmatched")}
    assert (first.accepted, first.rejected, first.unmatched) == tuple(map(len, expected.values())), first.rejections
    assert first.accepted + first.rejected + first.unmatched == len(lines)
    # Every rejected row kept with the line it starts on and at least one reason.
    assert sorted(first.rejections) == expected["rejected"], first.rejections
    assert all(reasons and all(isinstance(r, str) and r for r in reasons) for reasons in first.rejections.values())
    # The accepted rows stored, no row twice (see _expected for which of two rows wins).
    records = _expected(kind, [line.record for _, line in lines if line.outcome == "accepted"])
    stored = _stored(app, kind)
    assert stored == sorted(records.values(), key=repr)
    # The unmatched rows held, each distinct row once.
    distinct = {}
    for number, line in lines:
        if line.outcome == "unmatched":
            distinct.setdefault(tuple(sorted((c, v.strip()) for c, v in line.cells.items())), number)
    held = _held(app)
    assert held == [(first.id, number) for number in sorted(distinct.values())]

    # The rejection report: line, reasons, then the row's cells as given, formulas neutralised.
    report = _report(client, first.id)
    assert report[0] == ["line", "reasons", *columns]
    assert len(report) == 1 + len(expected["rejected"])
    by_line = dict(lines)
    for row, number in zip(report[1:], expected["rejected"], strict=True):
        written = by_line[number].written
        cells = written[: len(columns)] + [""] * (len(columns) - len(written)) + written[len(columns) :]
        assert row[0] == str(number)
        assert row[1] == _neutral("; ".join(first.rejections[number]))
        assert row[2:] == [_neutral(cell) for cell in cells]
        assert not any(cell.startswith(FORMULA_START) for cell in row)

    # The very same file again: nothing new, the same counts and rejections.
    again = run_import(app, kind, data)
    assert again.state == "succeeded", again.message
    assert (again.accepted, again.rejected, again.unmatched) == (first.accepted, first.rejected, first.unmatched)
    assert again.tally["created"] == 0, again.tally
    assert again.rejections == first.rejections
    assert _stored(app, kind) == stored
    assert _held(app) == held


@pytest.mark.parametrize("kind", ["events", "spells", "attendance"])
def test_any_evidence_file_is_read_row_by_row_and_a_second_import_stores_nothing_new(people, client, make, kind):
    assert sign_in(client, make.user("coordinator").email).status_code == 302

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(file=evidence_file(kind))
    def check(file):
        data, columns, lines = file
        _start_afresh(people)
        _check_file(people, client, kind, data, columns, lines)

    check()


def test_the_same_spell_on_many_lines_is_stored_once_and_only_the_line_with_a_bad_upn_is_rejected(people, client, make):
    assert sign_in(client, make.user("coordinator").email).status_code == 302
    columns = list(SPELL_HEADER)
    spell = dict.fromkeys(columns, "") | {"person_ref": "F001-01", "kind": "benefit", "detail": "JSA"}
    spell |= {"start_date": "2010-01-01", "end_date": "2010-01-01"}
    record = (
        ("F001-01", "benefit", "JSA", "2010-01-01"),
        ("F001-01", "benefit", "JSA", "2010-01-01", "2010-01-01", None, ""),
    )
    lines = [Line(spell, "accepted", record, [spell[c] for c in columns]) for _ in range(5)]
    bad = spell | {"upn": "A1"}
    lines.append(Line(bad, "rejected", None, [bad[c] for c in columns]))
    # the last two cells cut and given again as extra empty cells: the very same row
    lines.append(Line(spell, "accepted", record, [spell[c] for c in columns[:-2]] + ["", ""]))
    data = csv_bytes(columns, [line.written for line in lines])
    assert data.count(b"F001-01,,,,,,benefit,2010-01-01,2010-01-01,JSA,,") == 6
    _check_file(people, client, "spells", data, columns, list(enumerate(lines, start=2)))
    with people.app_context():  # the first import's and the second's
        rejections = db.session.execute(select(ImportRejection.line, ImportRejection.reasons)).all()
    reason = 'upn "A1" is not a Unique Pupil Number (a letter then 12 digits)'
    assert [tuple(r) for r in rejections] == [(7, [reason])] * 2


# --- hostile files ---------------------------------------------------------------------------------


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _nothing_kept(app, result) -> None:
    assert result.state == "failed"
    assert result.refusal, result.message
    assert result.message.startswith("The file was refused")
    assert result.refusal in result.message
    assert result.accepted is None and result.rejections == {}
    for model in (Event, Spell, AttendanceRecord, UnmatchedRow, ImportRejection):
        assert _count(app, model) == 0, model.__name__
    with app.app_context():  # not even the raw file
        chunks = select(func.count()).select_from(ImportFileChunk).where(ImportFileChunk.run_id == result.id)
        assert db.session.scalar(chunks) == 0


GOOD_ROWS = {
    "events": [
        {"person_ref": "F001-01", "kind": "offence", "date": "2013-05-01"},
        {"person_ref": "NOBODY", "kind": "asb", "date": "2013-05-02"},
        {"person_ref": "F003-01", "kind": "asb", "date": "2013-05-03", "detail": "Zoë Ødegård-O'Neill, café"},
    ],
    "spells": [
        {"person_ref": "F001-01", "kind": "benefit", "start_date": "2012-06-01", "detail": "JSA"},
        {"person_ref": "NOBODY", "kind": "cin_plan", "start_date": "2012-06-02"},
        {"person_ref": "F003-02", "kind": "employment", "start_date": "2012-06-03", "detail": "Siobhán's café"},
    ],
    "attendance": [
        {
            "person_ref": "F001-02",
            "academic_year": "2012/13",
            "term": "autumn",
            "possible_sessions": "140",
            "unauthorised_absence_sessions": "10",
        },
        {
            "person_ref": "NOBODY",
            "academic_year": "2012/13",
            "term": "spring",
            "possible_sessions": "120",
            "unauthorised_absence_sessions": "0",
        },
        {
            "person_ref": "F003-02",
            "academic_year": "2012/13",
            "term": "summer",
            "possible_sessions": "100",
            "unauthorised_absence_sessions": "3",
            "school": "École Française",
        },
    ],
}
MAKERS = {"events": events_csv, "spells": spells_csv, "attendance": attendance_csv}
KINDS = list(GOOD_ROWS)


def _text(kind: str) -> str:
    return MAKERS[kind](*GOOD_ROWS[kind]).decode("utf-8")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("encoding", "words"),
    [("latin-1", ["not UTF-8", "line 4"]), ("cp1252", ["not UTF-8", "line 4"]), ("utf-16", ["not UTF-8", "line 1"])],
)
def test_an_evidence_file_not_in_utf8_is_refused_whole_and_nothing_of_it_is_stored(people, kind, encoding, words):
    # Rows 2 and 3 are plain ASCII and would be accepted or held; row 4 has é and friends.
    result = run_import(people, kind, _text(kind).encode(encoding))
    _nothing_kept(people, result)
    for word in words:
        assert word in result.refusal, result.refusal


@pytest.mark.parametrize("kind", KINDS)
def test_an_evidence_file_with_a_byte_order_mark_is_read(people, kind):
    data = MAKERS[kind](*GOOD_ROWS[kind], bom=True)
    assert data.startswith(b"\xef\xbb\xbfperson_ref,")  # the mark right before the first column's name
    result = run_import(people, kind, data)
    assert (result.state, result.accepted, result.rejected, result.unmatched) == ("succeeded", 2, 0, 1)
    model = {"events": Event, "spells": Spell, "attendance": AttendanceRecord}[kind]
    assert _count(people, model) == 2
    with people.app_context():
        held = db.session.scalars(select(UnmatchedRow)).all()
        assert [(u.line, u.row["person_ref"]) for u in held] == [(3, "NOBODY")]


@pytest.mark.parametrize(
    ("kind", "header", "words"),
    [
        ("events", [*EVENT_HEADER, "officer"], ["a column that the events format does not have: officer"]),
        (
            "events",
            ["person_ref", "kind", "evnt_date"],
            ["no date column", "a column that the events format does not have: evnt_date"],
        ),
        ("events", ["person_ref", "date", "source"], ["no kind column", "must have"]),
        ("spells", [*SPELL_HEADER, "End Dat"], ["does not have: end dat"]),
        ("spells", ["person_ref", "kind", "end_date"], ["no start_date column", "must have"]),
        ("spells", ["person_ref", "start_date"], ["no kind column"]),
        ("attendance", [*ATTENDANCE_HEADER, "sessions"], ["does not have: sessions"]),
        ("attendance", ["person_ref", "academic_year", "possible_sessions"], ["term", "unauthorised_absence_sessions"]),
        ("attendance", [*ATTENDANCE_HEADER, "Term"], ["term more than once"]),
    ],
    ids=[
        "events-unknown-column",
        "events-misspelt-date",
        "events-no-kind",
        "spells-misspelt-end-date",
        "spells-no-start-date",
        "spells-no-kind",
        "attendance-unknown-column",
        "attendance-two-required-missing",
        "attendance-column-twice",
    ],
)
def test_an_evidence_file_with_a_column_unknown_missing_or_twice_is_refused_whole(people, kind, header, words):
    rows = [{**row, "evnt_date": "2013-05-01", "end dat": "2013-01-01"} for row in GOOD_ROWS[kind]]
    data = csv_bytes([*header], [[row.get(c.strip().lower(), "") for c in header] for row in rows])
    result = run_import(people, kind, data)
    _nothing_kept(people, result)
    for word in words:
        assert word in result.refusal, result.refusal


# --- overlapping extracts ---------------------------------------------------------------------------


def _event(n: int) -> dict:
    """Event n of a police extract: the odd ones with the police's reference, the even ones without."""
    row = {"person_ref": PEOPLE[n % len(PEOPLE)].ref, "kind": EVENT_KINDS[n % len(EVENT_KINDS)]}
    row |= {"date": (date(2013, 1, 1) + timedelta(days=n)).isoformat(), "detail": f"incident {n}"}
    return row | ({"reference": f"P{n}", "source": "police"} if n % 2 else {})


def test_an_overlapping_later_events_extract_stores_no_duplicates(people):
    first = run_import(people, "events", events_csv(*(_event(n) for n in range(1, 101))))
    assert (first.accepted, first.rejected, first.unmatched) == (100, 0, 0)
    assert first.tally == {"created": 100, "updated": 0, "unchanged": 0}

    later = run_import(people, "events", events_csv(*(_event(n) for n in range(50, 151))))
    assert (later.accepted, later.rejected, later.unmatched) == (101, 0, 0)
    assert later.tally == {"created": 50, "updated": 0, "unchanged": 51}
    stored = _stored(people, "events")
    assert len(stored) == len(set(stored)) == 150
    assert {detail for *_, detail in stored} == {f"incident {n}" for n in range(1, 151)}


def _spell(n: int, **values) -> dict:
    """Spell n of a DWP extract: the odd ones with DWP's reference, the even ones without; all open."""
    row = {"person_ref": PEOPLE[n % len(PEOPLE)].ref, "kind": "benefit", "detail": BENEFIT_CODES[n % 5]}
    row |= {"start_date": (date(2012, 1, 1) + timedelta(days=n)).isoformat()}
    return row | ({"reference": f"D{n}", "source": "dwp"} if n % 2 else {}) | values


def test_an_overlapping_later_spells_extract_updates_a_changed_end_date_and_records_it(people):
    first = run_import(people, "spells", spells_csv(*(_spell(n) for n in range(1, 101))))
    assert first.tally == {"created": 100, "updated": 0, "unchanged": 0}

    closed = {61: "2013-09-30", 70: "2013-10-31"}  # one with a reference, one without
    later = spells_csv(*(_spell(n, end_date=closed.get(n, "")) for n in range(50, 151)))
    result = run_import(people, "spells", later)
    assert (result.accepted, result.rejected, result.unmatched) == (101, 0, 0)
    assert result.tally == {"created": 50, "updated": 2, "unchanged": 49}
    stored = _stored(people, "spells")
    assert len(stored) == 150
    assert len({(p, k, d, s) for p, k, d, s, *_ in stored}) == 150
    ends = {(ref, source): end for *_, end, ref, source in stored if end}
    assert ends == {("D61", "dwp"): "2013-09-30", (None, ""): "2013-10-31"}

    with people.app_context():
        spell_id = db.session.scalar(select(Spell.id).where(Spell.reference == "D61"))
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "spell", AuditEntry.object_id == str(spell_id))
        ).all()
        assert [(e.before, e.after) for e in entries] == [({"end_date": None}, {"end_date": "2013-09-30"})]
        assert "D61" in entries[0].summary
        # One entry for each changed spell, and one for the spells created; none for the unchanged.
        changed = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "spell")).all()
        assert len(changed) == 2
