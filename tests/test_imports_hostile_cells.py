"""Cells that would lose rows: a quoted cell that never closes (or runs on over more lines than
a row may) and a NUL byte refuse the file whole, naming the line, however the file comes (the
upload page, `flask import`, the import job) and on both databases; quoted line breaks that a
row may hold are read, and the rows after them keep their real line numbers."""

import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.case_work import error_summary, text
from tests.helpers import sign_in, submit
from tests.imports_support import EVENT_HEADER, cohort, families_csv, family, run_import
from tff.cases.models import Family
from tff.evidence.models import Event, UnmatchedRow
from tff.extensions import db
from tff.imports.models import ImportFileChunk, ImportRejection, ImportRun
from tff.imports.reader import MAX_ROW_LINES

HEADER = ",".join(EVENT_HEADER).encode() + b"\r\n"  # person_ref,upn,nino,first_name,...,detail


def _event(person: str, kind: str, day: str, detail: bytes = b"") -> bytes:
    return f"{person},,,,,,{kind},{day},,police,".encode() + detail + b"\r\n"


#: the events file of the report: line 3's detail opens a quote that never closes, and an
#: offence follows it
UNCLOSED = (
    HEADER
    + _event("F001-01", "asb", "2013-05-01", b"Noise")  # line 2
    + _event("F001-02", "asb", "2013-05-02", b'"Shouted at the neighbours, then left')  # line 3
    + _event("F001-01", "offence", "2013-05-03", b"Criminal damage")  # line 4
    + _event("F001-03", "asb", "2013-05-04")  # line 5
)
UNCLOSED_WORDS = "Line 3 opens a quoted cell that is never closed"


def _count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return db.session.scalar(query)


def _nothing_stored(app, run_id: int | None = None) -> None:
    for model in (Event, UnmatchedRow, ImportRejection):
        assert _count(app, model) == 0, model.__name__
    if run_id is not None:
        assert _count(app, ImportFileChunk, run_id=run_id) == 0  # not even the raw file
        with app.app_context():
            run = db.session.get(ImportRun, run_id)
            assert run.accepted is None and run.rejected is None


@pytest.fixture
def people(clean):
    cohort(clean)
    return clean


@pytest.fixture
def flask_import(tmp_path):
    def invoke(app, kind: str, data: bytes):
        path = tmp_path / f"{kind}.csv"
        path.write_bytes(data)
        return app.test_cli_runner().invoke(args=["import", kind, str(path)])

    return invoke


@pytest.fixture
def eager(clean):
    conf = clean.extensions["celery"].conf
    conf.task_always_eager = True
    yield
    conf.task_always_eager = False


def _upload(client, kind: str, data: bytes):
    form = {"kind": kind, "file": (io.BytesIO(data), f"{kind}.csv")}
    return submit(client, "/imports/new", form, content_type="multipart/form-data")


# --- a quote never closed ------------------------------------------------------------------------


def test_an_unclosed_quote_refuses_the_events_file_whole_from_the_command_line(people, flask_import):
    result = flask_import(people, "events", UNCLOSED)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "the file was refused, and nothing of it was imported" in result.stderr
    assert UNCLOSED_WORDS in result.stderr
    assert "Close the quote, or remove it, and import the file again." in result.stderr
    _nothing_stored(people)


def test_an_unclosed_quote_refuses_the_events_file_whole_on_the_upload_page(people, client, make, eager):
    sign_in(client, make.user("coordinator").email)
    response = _upload(client, "events", UNCLOSED)
    assert response.status_code == 302
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = text(client.get(response.headers["Location"]))
    assert "The file was refused" in page
    assert UNCLOSED_WORDS in page
    _nothing_stored(people, run_id)


def test_an_unclosed_quote_refuses_a_families_file_whole_too(clean):
    data = families_csv(family("F001")) + b'F002,phase1,2013-01-10,,,,,,"never closed\r\nF003,phase1,,\r\n'
    result = run_import(clean, "families", data)
    assert result.state == "failed"
    assert result.refusal.startswith("Line 3 opens a quoted cell that is never closed")
    assert _count(clean, Family) == 0


def test_a_quote_opened_in_a_later_cell_of_a_row_is_named_on_its_own_line(people):
    # The row starts on line 2 with a detail over two lines that closes, then a second
    # quoted cell (an extra one) opens on line 3 and never closes.
    data = HEADER + _event("F001-01", "asb", "2013-05-01", b'"two\r\nlines","open') + _event("F001-01", "asb", "x")
    result = run_import(people, "events", data)
    assert result.refusal.startswith("Line 3 opens a quoted cell that is never closed"), result.refusal
    _nothing_stored(people, result.id)


def test_a_quote_left_open_then_closed_by_a_later_rows_quote_rejects_the_row_naming_the_lines(people):
    # Line 3 opens a quote; line 5's quoted detail closes it: the csv module reads lines 3 to 5
    # as one row whose detail holds line 4 (an offence) whole. That row is rejected, saying so.
    data = (
        HEADER
        + _event("F001-01", "asb", "2013-05-01", b"Noise")  # line 2
        + _event("F001-02", "asb", "2013-05-02", b'"Shouted at the neighbours')  # line 3
        + _event("F001-01", "offence", "2013-05-03", b"Criminal damage")  # line 4
        + _event("F001-03", "asb", "2013-05-04", b'"Loud music"')  # line 5
        + _event("F001-03", "asb", "2013-05-05")  # line 6
    )
    result = run_import(people, "events", data)
    assert (result.state, result.accepted, result.rejected) == ("succeeded", 2, 1), result.message
    assert result.rejections[3] == [
        "the quoted cell opened on line 3 runs on to line 5, and its line 4 reads as a row of its own: a closing "
        "quote is likely missing, so the rows on those lines were read into this cell; close the quote and import "
        "them again"
    ]
    with people.app_context():
        assert sorted(db.session.scalars(select(Event.date))) == [date(2013, 5, 1), date(2013, 5, 5)]


def test_a_detail_with_a_comma_or_two_to_a_line_is_no_row_of_its_own(people):
    detail = b'"Seen at 4, Hill Street, Rotherham\r\nwith A, B and C, at night"'  # 3 and 2 commas
    result = run_import(people, "events", HEADER + _event("F001-01", "asb", "2013-05-01", detail))
    assert (result.accepted, result.rejected) == (1, 0), result.rejections


def test_a_detail_over_three_lines_is_read_and_later_rows_keep_their_lines(people):
    data = (
        HEADER
        + _event("F001-01", "asb", "2013-05-01", b'"Shouted,\r\nthen ""left""\r\nin a car"')  # lines 2-4
        + _event("F001-02", "burglary", "2013-05-02")  # line 5: no such kind
        + _event("F001-01", "offence", "2013-05-03", b'"a\nb"')  # lines 6-7
        + _event("F001-03", "asb", "2013-13-01")  # line 8: no such date
    )
    result = run_import(people, "events", data)
    assert (result.state, result.accepted, result.rejected, result.unmatched) == ("succeeded", 2, 2, 0)
    assert sorted(result.rejections) == [5, 8]
    with people.app_context():
        details = set(db.session.scalars(select(Event.detail)))
    assert details == {'Shouted,\r\nthen "left"\r\nin a car', "a\nb"}


def test_a_row_may_run_over_as_many_lines_as_the_limit_and_not_one_more(people):
    assert MAX_ROW_LINES == 100
    # 101 lines (the quote closes on line 102): refused, with the line it opened on.
    detail = b'"' + b"\r\n".join(b"line %d" % n for n in range(1, 102)) + b'"'
    data = HEADER + _event("F001-01", "asb", "2013-05-01", detail) + _event("F001-02", "asb", "2013-05-02")
    result = run_import(people, "events", data)
    assert result.state == "failed"
    assert result.refusal.startswith(
        "Line 2 opens a quoted cell that is still open at line 101, its row running over more than 100 lines"
    )
    _nothing_stored(people, result.id)

    # 100 lines: line 2 to line 101; the row after it is line 102 (and rejected, to show it).
    detail = b'"' + b"\r\n".join(b"line %d" % n for n in range(1, 101)) + b'"'
    data = HEADER + _event("F001-01", "asb", "2013-05-01", detail) + _event("F001-02", "asb", "2013-02-30")
    result = run_import(people, "events", data)
    assert (result.accepted, result.rejected) == (1, 1), result.message
    assert list(result.rejections) == [102]


# --- NUL bytes -----------------------------------------------------------------------------------


def _families_with_a_nul(line: int) -> bytes:
    """A families file whose row on `line` has a NUL in its postcode; every other row is fine."""
    rows = [family(f"F{n:03d}", postcode="S60 1AA") for n in range(2, 400)]  # lines 2-399, over 30 bytes each
    rows[line - 2]["postcode"] = "S60\x001AA"
    data = families_csv(*rows)
    assert data.index(b"\x00") > 8192 or line < 10
    return data


def test_a_nul_past_the_first_8_kb_refuses_the_file_in_the_import_job(clean):
    result = run_import(clean, "families", _families_with_a_nul(350))
    assert result.state == "failed"
    assert result.refusal.startswith("Line 350 holds a NUL byte (\\x00): the file is not plain text")
    assert _count(clean, Family) == 0
    assert _count(clean, ImportFileChunk) == 0


def test_a_nul_in_an_evidence_file_refuses_it_whole(people):
    data = UNCLOSED.replace(b'"Shouted', b"Shouted").replace(b"Criminal damage", b"Criminal\x00damage")
    result = run_import(people, "events", data)
    assert result.refusal.startswith("Line 4 holds a NUL byte"), result.refusal
    _nothing_stored(people, result.id)


def test_a_nul_past_the_first_8_kb_refuses_the_file_from_the_command_line(clean, flask_import):
    result = flask_import(clean, "families", _families_with_a_nul(350))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "refused" in result.stderr and "Line 350 holds a NUL byte" in result.stderr
    assert _count(clean, Family) == 0


@pytest.mark.parametrize("line", [3, 350], ids=["in-the-first-bytes", "past-the-first-8-kb"])
def test_a_nul_anywhere_is_refused_on_the_upload_page_naming_its_line(clean, client, make, line):
    sign_in(client, make.user("coordinator").email)
    response = _upload(client, "families", _families_with_a_nul(line))
    assert response.status_code == 200
    assert f"Line {line} holds a NUL byte" in error_summary(response)
    assert _count(clean, ImportRun) == 0  # nothing of it stored


# --- every row accounted for -----------------------------------------------------------------------

#: a detail as people type it, quotes and line breaks (at most a few) included
details = st.lists(st.sampled_from(["Noise", "late", ",", '"', "\n", "\r\n", "café", "O'Neill", " "]), max_size=8).map(
    lambda parts: "".join(parts).strip()
)


def _cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


@st.composite
def events_files(draw):
    """(file, {line: what becomes of the row}, the line whose quote never closes or None)."""
    rows = draw(st.lists(st.tuples(st.sampled_from(["accepted", "rejected", "unmatched"]), details), max_size=12))
    unclosed = draw(st.none() | st.integers(0, len(rows) - 1)) if rows else None
    text, outcomes, line, opened = ",".join(EVENT_HEADER) + "\r\n", {}, 2, None
    for i, (outcome, detail) in enumerate(rows):
        person = "NOBODY" if outcome == "unmatched" else "F001-01"
        day = "2013-02-30" if outcome == "rejected" else f"2013-05-{i + 1:02d}"
        if unclosed is not None and i > unclosed:
            # No quote after the one left open (one would close it, as it would in a spreadsheet).
            detail = "".join(c for c in detail if c not in ',"\r\n')
        cell = _cell(detail)
        if i == unclosed:
            cell, opened = '"' + detail.replace('"', '""'), line
            cell = ("x," + cell) if draw(st.booleans()) else cell  # opens in an extra cell, or in detail
        text += f"{person},,,,,,asb,{day},R{i},police,{cell}\r\n"
        outcomes[line] = outcome
        line += 1 + detail.count("\n")
    return text.encode(), outcomes, opened


def test_every_row_of_an_events_file_is_accepted_rejected_or_held_or_the_file_is_refused(people):
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(file=events_files())
    def check(file):
        data, outcomes, opened = file
        with people.app_context():
            for model in (Event, UnmatchedRow):
                db.session.query(model).delete()
            db.session.commit()
        result = run_import(people, "events", data)
        if opened is not None:
            assert result.refusal.startswith(f"Line {opened} opens a quoted cell that is never closed"), result
            assert _count(people, Event) == 0 and _count(people, ImportRejection, run_id=result.id) == 0
            return
        assert result.state == "succeeded", result.message
        expected = {o: sorted(n for n, v in outcomes.items() if v == o) for o in ("accepted", "rejected", "unmatched")}
        assert (result.accepted, result.rejected, result.unmatched) == tuple(map(len, expected.values()))
        assert result.accepted + result.rejected + result.unmatched == len(outcomes)
        assert sorted(result.rejections) == expected["rejected"]
        with people.app_context():
            held = sorted(db.session.scalars(select(UnmatchedRow.line).where(UnmatchedRow.run_id == result.id)))
        assert held == expected["unmatched"]

    check()
