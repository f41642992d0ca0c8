"""members.csv: people checked with every reason, UPN and NINO unique across the product and
the file, an existing person_ref updated (even moved to another family), nothing twice."""

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.imports_support import (
    audit_count,
    families_csv,
    family,
    member,
    members_csv,
    run_import,
)
from tff.audit.models import AuditEntry
from tff.cases.models import Family, Member
from tff.extensions import db
from tff.timeutil import local, utcnow


def _member(app, person_ref: str) -> dict | None:
    with app.app_context():
        found = db.session.scalar(select(Member).where(Member.person_ref == person_ref))
        if found is None:
            return None
        return {
            **found.audit_state(),
            "family": found.family.reference,
            "first_key": found.first_key,
            "last_key": found.last_key,
        }


def _families(app, *refs):
    result = run_import(app, "families", families_csv(*(family(ref) for ref in refs)))
    assert result.accepted == len(refs)


def test_members_are_added_to_their_families(clean):
    _families(clean, "F001", "F002")
    data = members_csv(
        member(
            "F001-01", nino="qq 12 34 56 c", sex="F", relationship="mother", first_name="Mary-Jane", last_name="O'Neill"
        ),
        member("F001-02", first_name="Liam", date_of_birth="2005-09-01", upn="a123456789012", relationship="child"),
        member("F002-01", family_ref="F002", first_name="=SUM(A1:A9)", last_name="@home"),
    )
    result = run_import(clean, "members", data)
    assert (result.state, result.accepted, result.rejected, result.unmatched) == ("succeeded", 3, 0, 0)
    assert result.tally == {"created": 3, "updated": 0, "unchanged": 0}
    mother = _member(clean, "F001-01")
    assert mother["nino"] == "QQ123456C"  # the format's own example, accepted
    assert (mother["family"], mother["sex"], mother["relationship"]) == ("F001", "F", "mother")
    assert (mother["first_key"], mother["last_key"]) == ("maryjane", "oneill")
    assert mother["date_of_birth"] == date(1980, 5, 1)
    assert _member(clean, "F001-02")["upn"] == "A123456789012"
    # Formula-like cells are only text here: stored as given.
    assert (_member(clean, "F002-01")["first_name"], _member(clean, "F002-01")["last_name"]) == ("=SUM(A1:A9)", "@home")
    with clean.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == "F001-01"))
        assert entry.action == "member.import_create"
        assert entry.after["family_ref"] == "F001" and entry.after["nino"] == "QQ123456C"


def test_a_rejected_member_row_has_its_line_and_every_reason(clean):
    _families(clean, "F001")
    tomorrow = (local(utcnow()).date() + timedelta(days=1)).isoformat()
    data = members_csv(
        member("F001-01"),
        member("F009-01", family_ref="F009"),
        {"family_ref": "F001", "person_ref": "F001-03"},
        member("F001-04", date_of_birth=tomorrow),
        member("F001-05", date_of_birth="2013-02-30", upn="A12345", nino="QQ123456E"),
        member("F001-06", upn="1234567890123", nino="Q1234567C"),
        member("F001-07", first_name="x" * 101),
    )
    result = run_import(clean, "members", data)
    assert (result.accepted, result.rejected) == (1, 6)
    assert result.rejections[3] == [
        'family_ref "F009" is not a family in the product: import it in a families file first'
    ]
    assert result.rejections[4] == [
        "first_name is empty; it is required",
        "last_name is empty; it is required",
        "date_of_birth is empty; it is required",
    ]
    assert result.rejections[5] == [f"date_of_birth {tomorrow} is in the future"]
    assert result.rejections[6] == [
        'date_of_birth "2013-02-30" is not a real date',
        'upn "A12345" is not a Unique Pupil Number (a letter then 12 digits)',
        'nino "QQ123456E" is not a National Insurance number (two letters, six digits and a letter A to D, '
        "like QQ123456C)",
    ]
    assert result.rejections[7][0] == 'upn "1234567890123" is not a Unique Pupil Number (a letter then 12 digits)'
    assert result.rejections[7][1].startswith('nino "Q1234567C" is not a National Insurance number')
    assert result.rejections[8] == ["first_name is longer than 100 characters (it has 101)"]


def test_a_upn_or_nino_held_by_another_person_rejects_the_row_saying_who_holds_it(clean):
    _families(clean, "F001", "F002")
    run_import(
        clean, "members", members_csv(member("F001-01", nino="AB123456C"), member("F001-02", upn="A123456789012"))
    )
    data = members_csv(
        member("F002-01", family_ref="F002", nino="ab 123456 c"),
        member("F002-02", family_ref="F002", upn="A123456789012"),
        member("F001-01", nino="AB123456C", first_name="Amelia"),  # their own: fine
    )
    result = run_import(clean, "members", data)
    assert (result.accepted, result.rejected) == (1, 2)
    assert result.rejections[2] == ["nino AB123456C is already held by another person, person_ref F001-01"]
    assert result.rejections[3] == ["upn A123456789012 is already held by another person, person_ref F001-02"]
    assert _member(clean, "F002-01") is None
    assert _member(clean, "F001-01")["first_name"] == "Amelia"


def test_the_same_person_upn_or_nino_twice_in_a_file_rejects_the_later_row(clean):
    _families(clean, "F001")
    data = members_csv(
        member("F001-01", upn="A000000000001", nino="AB000001A"),
        member("F001-02", upn="A000000000001"),
        member("F001-03", nino="ab000001a"),
        member("F001-01", first_name="Again"),
        member("F001-04", upn="B000000000002"),
    )
    result = run_import(clean, "members", data)
    assert (result.accepted, result.rejected) == (2, 3)
    assert result.rejections == {
        3: ['upn "A000000000001" is given earlier in the file, on line 2'],
        4: ['nino "AB000001A" is given earlier in the file, on line 2'],
        5: ['person_ref "F001-01" is given earlier in the file, on line 2'],
    }
    assert _member(clean, "F001-01")["first_name"] == "Amy"


def test_importing_the_same_members_again_changes_nothing_and_writes_no_audit(clean):
    _families(clean, "F001", "F002")
    data = members_csv(
        member("F001-01", nino="AB123456C", sex="F"),
        member("F001-02", upn="A123456789012", relationship="child"),
        member("F002-01", family_ref="F002", date_of_birth="bad"),
    )
    first = run_import(clean, "members", data)
    assert (first.accepted, first.rejected) == (2, 1)
    before = {p: _member(clean, p) for p in ("F001-01", "F001-02")}
    entries = audit_count(clean)
    again = run_import(clean, "members", data)
    assert (again.accepted, again.rejected) == (2, 1)
    assert again.tally == {"created": 0, "updated": 0, "unchanged": 2}
    assert audit_count(clean) == entries
    assert {p: _member(clean, p) for p in ("F001-01", "F001-02")} == before
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Member)) == 2


def test_an_existing_person_is_updated_even_moved_to_another_family_and_the_change_recorded(clean):
    _families(clean, "F001", "F002")
    run_import(
        clean,
        "members",
        members_csv(member("F001-01", nino="AB123456C", relationship="mother"), member("F001-02", sex="M")),
    )
    result = run_import(
        clean,
        "members",
        members_csv(
            member("F001-01", family_ref="F002", last_name="Jones", nino="AB123456C", relationship="mother"),
            member("F001-02", sex="F", upn="a000000000009"),
        ),
    )
    assert result.tally == {"created": 0, "updated": 2, "unchanged": 0}
    moved = _member(clean, "F001-01")
    assert (moved["family"], moved["last_name"], moved["last_key"]) == ("F002", "Jones", "jones")
    other = _member(clean, "F001-02")
    assert (other["family"], other["sex"], other["upn"], other["last_name"]) == ("F001", "F", "A000000000009", "Smith")
    with clean.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "member.import_update", AuditEntry.object_id == "F001-01")
        )
        assert entry.before == {"family_ref": "F001", "last_name": "Smith"}
        assert entry.after == {"family_ref": "F002", "last_name": "Jones"}


def test_a_column_the_file_lacks_and_an_empty_cell_both_leave_a_value_alone(clean):
    _families(clean, "F001")
    run_import(clean, "members", members_csv(member("F001-01", nino="AB123456C", sex="F")))
    header = ["family_ref", "person_ref", "first_name", "last_name", "date_of_birth", "sex"]
    result = run_import(clean, "members", members_csv(member("F001-01"), header=header))
    assert result.tally == {"created": 0, "updated": 0, "unchanged": 1}
    person = _member(clean, "F001-01")
    assert (person["nino"], person["sex"]) == ("AB123456C", "F")


def test_a_members_dry_run_changes_nothing(clean):
    _families(clean, "F001")
    entries = audit_count(clean)
    result = run_import(clean, "members", members_csv(member("F001-01"), member("F001-02", upn="x")), dry_run=True)
    assert (result.accepted, result.rejected, result.tally["created"]) == (1, 1, 1)
    assert _member(clean, "F001-01") is None
    assert audit_count(clean) == entries
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Family)) == 1
