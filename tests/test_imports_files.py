"""A file is refused whole when it cannot be read as a CSV file of its format; otherwise every
row is read, with the line it starts on."""

import pytest
from sqlalchemy import func, select

from tests.imports_support import FAMILY_HEADER, csv_bytes, families_csv, family, run_import
from tff.cases.models import Family
from tff.extensions import db
from tff.imports.models import ImportFileChunk, ImportRun


def _families(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Family))


def _refused(app, data: bytes):
    result = run_import(app, "families", data)
    assert result.state == "failed"
    assert result.refusal, result.message
    assert result.message.startswith("The file was refused")
    assert result.refusal in result.message
    assert result.accepted is None and result.rejections == {}
    assert _families(app) == 0
    with app.app_context():
        # Nothing of the file is kept: only the record of the refusal.
        assert db.session.scalar(select(func.count()).select_from(ImportFileChunk)) == 0
        assert db.session.get(ImportRun, result.id).size == len(data)  # what was refused, for the record
    return result.refusal


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", ["The file is empty"]),
        (b"\xef\xbb\xbf", ["The file is empty"]),
        (b"\r\nF001,phase1\r\n", ["no header", "first line is empty"]),
        (
            "family_ref,programme\r\nF001,phase1\r\nF002,ph\xe4se1\r\n".encode("latin-1"),
            ["not UTF-8", "line 3"],
        ),
        ("family_ref,programme\r\n".encode("utf-16"), ["not UTF-8", "line 1"]),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe", ["not UTF-8", "line 1"]),
        (b"family_ref,identified_on\r\nF001,2013-01-01\r\n", ["no programme column", "must have"]),
        (b"identified_on\r\n2013-01-01\r\n", ["no family_ref or programme columns"]),
        (b"family_ref,progamme\r\nF001,phase1\r\n", ["no programme column", "does not have: progamme"]),
        (
            b"family_ref,programme,colour\r\nF001,phase1,red\r\n",
            ["a column that the families format does not have: colour"],
        ),
        (b"family_ref,programme,Postcode, postcode \r\nF001,phase1,S1 1AA,S1 1AA\r\n", ["postcode more than once"]),
        (b"family_ref,programme,\r\nF001,phase1,\r\n", ["Column 3 of the header has no name"]),
    ],
    ids=[
        "empty",
        "only-a-bom",
        "blank-first-line",
        "latin-1",
        "utf-16",
        "a-spreadsheet",
        "a-required-column-missing",
        "two-required-columns-missing",
        "a-misspelt-column",
        "an-unknown-column",
        "a-column-twice",
        "a-column-without-a-name",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_with_the_problem_named(clean, data, words):
    refusal = _refused(clean, data)
    for word in words:
        assert word in refusal


def test_a_bad_byte_at_the_end_refuses_the_whole_file_and_keeps_none_of_its_rows(clean):
    rows = [family(f"F{n:03d}") for n in range(1, 51)]
    data = families_csv(*rows) + b"F999,phase1,2013-01-01,,,,,,caf\xe9\r\n"
    assert "line 52" in _refused(clean, data)


def test_a_bom_is_accepted(clean):
    result = run_import(clean, "families", families_csv(family("F001"), family("F002"), bom=True))
    assert (result.state, result.accepted, result.rejected) == ("succeeded", 2, 0)
    with clean.app_context():
        assert set(db.session.scalars(select(Family.reference))) == {"F001", "F002"}


def test_header_names_are_case_insensitive_spaced_and_in_any_order(clean):
    data = b" PROGRAMME ,Family_Ref\nphase2,F001\n"
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (1, 0)
    with clean.app_context():
        assert db.session.scalar(select(Family.programme).where(Family.reference == "F001")) == "phase2"


def test_quoted_line_breaks_keep_the_line_numbers_right(clean):
    data = (
        b"family_ref,programme,outcome_plan\r\n"
        b'F001,phase2,"a plan\r\nover\r\nthree lines"\r\n'  # lines 2-4
        b"F002,phase9,\r\n"  # line 5
        b'F003,phase2,"two\nlines"\r\n'  # lines 6-7
        b"F004,nope,\r\n"  # line 8
    )
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (2, 2)
    assert set(result.rejections) == {5, 8}
    with clean.app_context():
        plan = db.session.scalar(select(Family.outcome_plan).where(Family.reference == "F001"))
    assert plan == "a plan\r\nover\r\nthree lines"


def test_blank_lines_are_no_rows_and_lines_are_still_counted(clean):
    data = b"family_ref,programme\n\nF001,phase1\n,\n\nF002,wrong\n"
    result = run_import(clean, "families", data)
    assert (result.rows, result.accepted, result.rejected) == (2, 1, 1)
    assert set(result.rejections) == {6}


def test_a_row_with_too_many_or_too_few_cells_is_rejected_with_every_reason(clean):
    data = b"family_ref,programme,postcode\nF001,phase1,S60 1AA,extra\nF002,phase1\nF003\nF004,phase1,S60 1AA\n"
    result = run_import(clean, "families", data)
    assert result.accepted == 1
    assert result.rejections[2] == ["the row has 4 cells, but the header has 3 columns"]
    assert result.rejections[3] == ["the row has 2 cells, but the header has 3 columns"]
    assert result.rejections[4] == [
        "the row has 1 cells, but the header has 3 columns",
        "programme is empty; it is required",
    ]


def test_a_huge_cell_rejects_its_row_and_the_rest_of_the_file_is_read(clean):
    huge = "x" * 100_000
    data = families_csv(family("F001", outcome_plan=huge, programme="phase2"), family("F002"))
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (1, 1)
    assert result.rejections[2] == ["outcome_plan is longer than 80 characters (it has 100,000)"]


def test_a_cell_beyond_what_csv_can_hold_refuses_the_file(clean):
    # An unclosed quote swallows the rest of the file into one cell: long lines reach the csv
    # module's limit before the limit of lines a row may run over: 13 characters on line 2, then
    # 5,013 a line; 26 more lines make 130,351, the 27th (line 29) goes past 131,072.
    data = (
        b'family_ref,programme,outcome_plan\nF001,phase2,"never closed\n' + (b"F002,phase1," + b"x" * 5000 + b"\n") * 50
    )
    refusal = _refused(clean, data)
    assert refusal.startswith(
        "Line 2 opens a quoted cell that is still open at line 29, longer than 131,072 characters"
    )
    assert "Close the quote" in refusal


def test_formula_like_cells_are_stored_as_given(clean):
    data = families_csv(family("F001", programme="phase2", outcome_plan='=HYPERLINK("http://x","y")'))
    result = run_import(clean, "families", data)
    assert result.accepted == 1
    with clean.app_context():
        assert db.session.scalar(select(Family.outcome_plan).where(Family.reference == "F001")) == (
            '=HYPERLINK("http://x","y")'
        )


def test_the_raw_file_is_kept_in_chunks_and_reads_back_whole(clean, monkeypatch):
    from tff.imports import reader

    monkeypatch.setattr(reader, "CHUNK_SIZE", 64)
    rows = [family(f"F{n:03d}", outcome_plan="é" * 7, programme="phase2") for n in range(1, 40)]
    data = families_csv(*rows, header=[*FAMILY_HEADER])
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (39, 0)
    with clean.app_context():
        pieces = db.session.scalars(
            select(ImportFileChunk.data).where(ImportFileChunk.run_id == result.id).order_by(ImportFileChunk.seq)
        ).all()
        assert len(pieces) > 10
        assert b"".join(pieces) == data
        # A multi-byte character cut between chunks is read whole.
        assert db.session.scalar(select(Family.outcome_plan).where(Family.reference == "F039")) == "é" * 7


def test_a_header_only_file_is_read_and_has_no_rows(clean):
    result = run_import(clean, "families", csv_bytes(FAMILY_HEADER, []))
    assert (result.state, result.rows, result.accepted, result.rejected) == ("succeeded", 0, 0, 0)


def test_rows_are_checked_the_same_across_batches(clean, monkeypatch):
    from tff.imports import scratch
    from tff.imports.kinds.families import Families

    monkeypatch.setattr(Families, "batch_size", 7)
    monkeypatch.setattr(scratch, "REJECTIONS_PER_WRITE", 3)
    monkeypatch.setattr(scratch, "KEYS_PER_QUERY", 2)
    rows = []
    for n in range(1, 61):
        if n % 5 == 0:
            rows.append(family(f"F{n:03d}", programme="bad"))
        elif n % 7 == 0:
            rows.append(family(f"F{n - 6:03d}"))  # given six rows earlier, often in an earlier batch
        else:
            rows.append(family(f"F{n:03d}"))
    result = run_import(clean, "families", families_csv(*rows))
    bad = {n + 1 for n in range(1, 61) if n % 5 == 0}
    again = {n + 1 for n in range(1, 61) if n % 7 == 0 and n % 5 != 0}
    assert set(result.rejections) == bad | again
    for line in again:
        assert result.rejections[line] == [
            f'family_ref "F{line - 7:03d}" is given earlier in the file, on line {line - 6}'
        ]
    assert (result.accepted, result.rejected) == (60 - len(bad | again), len(bad | again))
    assert _families(clean) == result.accepted
