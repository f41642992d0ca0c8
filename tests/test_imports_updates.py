"""An extract never undoes the case work: a row that updates a family (or a member) held
already fills and corrects values and never clears one, never un-attaches a family, and never
moves the attachment date of a family that has been claimed for or whose attachment fee has
been received; and the import's page and `flask import --dry-run` list every change, field by
field, before and after."""

import io
import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.helpers import sign_in, submit
from tests.imports_support import families_csv, family, member, members_csv, run_import
from tff.auth.models import User
from tff.cases import operations as cases
from tff.cases.models import Family, FamilyCriterion, LeadWorkerAssignment, Member
from tff.claims.models import ClaimBatch, ClaimLine, ClaimWindow
from tff.extensions import db
from tff.funding.models import AttachmentFeeReceipt
from tff.imports.kinds.base import Row
from tff.imports.kinds.families import Families


@pytest.fixture
def eager(clean):
    """A queue that runs each task at once, as a worker would."""
    conf = clean.extensions["celery"].conf
    conf.task_always_eager = True
    yield
    conf.task_always_eager = False


@pytest.fixture
def flask_import(clean, tmp_path):
    runner = clean.test_cli_runner()

    def invoke(kind: str, data: bytes, *options):
        path = tmp_path / f"{kind}.csv"
        path.write_bytes(data)
        return runner.invoke(args=["import", kind, str(path), *options])

    return invoke


def _family(app, ref: str) -> SimpleNamespace:
    with app.app_context():
        family = db.session.scalar(select(Family).where(Family.reference == ref))
        return SimpleNamespace(
            **family.audit_state(),
            criteria=sorted((c.kind, c.code, c.source) for c in family.criteria),
            open_assignments=[
                a.user_id
                for a in db.session.scalars(
                    select(LeadWorkerAssignment).where(
                        LeadWorkerAssignment.family_id == family.id, LeadWorkerAssignment.ended_on.is_(None)
                    )
                )
            ],
        )


def _attach_in_the_product(app, ref: str, on: date, worker_id: int) -> None:
    with app.app_context():
        family = db.session.scalar(select(Family).where(Family.reference == ref))
        coordinator = db.session.scalar(select(User).where(User.role == "coordinator"))
        cases.attach(family, on, coordinator, override="Agreed at the panel")
        cases.assign_lead_worker(family, db.session.get(User, worker_id), on, None, coordinator)


# The demo's families.csv row: no attachment date and no lead worker in the extract.
DEMO_ROW = family("F001", postcode="S60 1AA", local_criteria="deprived_area")


def test_reimporting_an_extract_with_blank_cells_keeps_the_case_work(clean, make):
    make.user("coordinator")
    worker = make.user("lead_worker")
    run_import(clean, "families", families_csv(DEMO_ROW))
    _attach_in_the_product(clean, "F001", date(2013, 2, 1), worker.id)
    with clean.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == "F001"))
        db.session.add(FamilyCriterion(family_id=family_id, kind="local", code="benefit_cap", source="confirmed"))
        db.session.commit()
    before = _family(clean, "F001")

    again = run_import(clean, "families", families_csv(DEMO_ROW))
    assert (again.accepted, again.rejected, again.tally) == (1, 0, {"created": 0, "updated": 0, "unchanged": 1})
    # Every cell blank but the required ones: still nothing is cleared.
    blank = run_import(clean, "families", families_csv(family("F001", identified_on="")))
    assert (blank.accepted, blank.tally["unchanged"], blank.changes) == (1, 1, [])
    after = _family(clean, "F001")
    assert after == before
    assert (after.status, after.attached_on, after.lead_worker_id) == ("attached", date(2013, 2, 1), worker.id)
    assert (after.postcode, after.identified_on) == ("S60 1AA", date(2013, 1, 10))
    assert after.open_assignments == [worker.id]
    assert after.criteria == [("local", "benefit_cap", "confirmed"), ("local", "deprived_area", "imported")]


def test_a_filled_cell_still_corrects_its_field_and_only_that_one(clean, make):
    worker = make.user("lead_worker")
    run_import(
        clean, "families", families_csv(family("F001", attached_on="2013-02-01", lead_worker_email=worker.email))
    )
    result = run_import(clean, "families", families_csv(family("F001", identified_on="", postcode="s61 2bb")))
    assert result.tally == {"created": 0, "updated": 1, "unchanged": 0}
    assert result.changes == [{"ref": "F001", "fields": [["postcode", "", "S61 2BB"]]}]
    f001 = _family(clean, "F001")
    assert (f001.postcode, f001.attached_on, f001.lead_worker_id) == ("S61 2BB", date(2013, 2, 1), worker.id)


def test_a_blank_identified_on_does_not_let_attached_on_go_before_the_held_one(clean):
    run_import(clean, "families", families_csv(family("F001", identified_on="2013-01-10")))
    # A day short of the date identified, with identified_on empty in the row: the held date counts.
    result = run_import(clean, "families", families_csv(family("F001", identified_on="", attached_on="2013-01-09")))
    assert result.rejections == {2: ["attached_on 2013-01-09 would be before identified_on 2013-01-10"]}
    on_the_day = run_import(clean, "families", families_csv(family("F001", identified_on="", attached_on="2013-01-10")))
    assert (on_the_day.accepted, on_the_day.rejected) == (1, 0)


def test_a_row_that_would_unattach_an_attached_family_is_refused(clean, make):
    """No cell can ask for it any more (an empty attached_on keeps the date); the check stands
    behind that for any row that would still end without the date."""
    run_import(clean, "families", families_csv(family("F001", attached_on="2013-02-01")))
    with clean.app_context():
        run = SimpleNamespace(id=0, filename="families.csv", dry_run=True, started_by_id=None)
        fmt = Families(run, ["family_ref", "programme", "attached_on"])
        fmt.prepare()
        row = Row(2, {"family_ref": "F001", "programme": "phase1", "attached_on": None})
        context = fmt.lookup([row], applying=False)
        # What a row that would take the date away is told.
        held = context.families["F001"]
        assert fmt._attachment_kept(held, None, context) == [
            "family F001 was attached on 2013-02-01, and an import does not un-attach a family: "
            "a family leaves the programme by closure, on its page"
        ]
        assert fmt.resolve(row, context) == []  # the empty cell keeps the date: nothing to refuse


def _claim_line(app, ref: str, excluded: bool = False) -> None:
    with app.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == ref))
        window = ClaimWindow(name="2013-07", as_of=date(2013, 7, 31), sample_percent=0)
        db.session.add(window)
        db.session.flush()
        batch = ClaimBatch(window_id=window.id)
        db.session.add(batch)
        db.session.flush()
        db.session.add(
            ClaimLine(
                batch_id=batch.id,
                family_id=family_id,
                family_ref=ref,
                outcome="crime_asb_education",
                attachment_year="2012/13",
                amount=4000,
                rule_set="phase1",
                excluded=excluded,
            )
        )
        db.session.commit()


def _fee(app, programme: str, year: str) -> None:
    with app.app_context():
        db.session.add(
            AttachmentFeeReceipt(programme=programme, financial_year=year, amount=649600, received_on=date(2012, 6, 1))
        )
        db.session.commit()


MOVED = "2013-03-01"


def test_the_attachment_date_of_a_claimed_family_is_not_changed_by_an_import(clean):
    run_import(
        clean,
        "families",
        families_csv(family("F001", attached_on="2013-02-01"), family("F002", attached_on="2013-02-01")),
    )
    _claim_line(clean, "F001")
    result = run_import(
        clean, "families", families_csv(family("F001", attached_on=MOVED), family("F002", attached_on=MOVED))
    )
    assert (result.accepted, result.rejected) == (1, 1)
    assert result.rejections == {
        2: [
            "attached_on 2013-03-01 would change the attachment date of family F001 from 2013-02-01, and it has a "
            "line in a claim: an import does not change the attachment date of such a family"
        ]
    }
    assert _family(clean, "F001").attached_on == date(2013, 2, 1)
    # Not claimed for: corrected, and the change listed.
    assert _family(clean, "F002").attached_on == date(2013, 3, 1)
    assert result.changes == [{"ref": "F002", "fields": [["attached_on", "2013-02-01", MOVED]]}]
    # The same date again is no change: accepted.
    same = run_import(clean, "families", families_csv(family("F001", attached_on="2013-02-01")))
    assert (same.accepted, same.rejected) == (1, 0)


def test_the_attachment_date_is_kept_once_its_years_fee_is_received(clean):
    # Attached on 31 March 2013: the last day of 2012/13. F002 on 1 April 2013: the first of 2013/14.
    run_import(
        clean,
        "families",
        families_csv(family("F001", attached_on="2013-03-31"), family("F002", attached_on="2013-04-01")),
    )
    _fee(clean, "phase1", "2012/13")
    _fee(clean, "phase2", "2013/14")  # another programme's fee: not F002's
    result = run_import(
        clean,
        "families",
        families_csv(family("F001", attached_on="2013-03-30"), family("F002", attached_on="2013-04-02")),
    )
    assert result.rejections == {
        2: [
            "attached_on 2013-03-30 would change the attachment date of family F001 from 2013-03-31, and the "
            "attachment fees for phase1 families attached in 2012/13 have been received: an import does not "
            "change the attachment date of such a family"
        ]
    }
    assert (_family(clean, "F001").attached_on, _family(clean, "F002").attached_on) == (
        date(2013, 3, 31),
        date(2013, 4, 2),
    )


def test_the_import_page_lists_each_family_changed_before_and_after(client, make, clean, eager):
    first, second = make.user("lead_worker"), make.user("lead_worker")
    coordinator = make.user("coordinator")
    run_import(
        clean,
        "families",
        families_csv(family("F001", lead_worker_email=first.email, postcode="S60 1AA"), family("F002")),
    )
    sign_in(client, coordinator.email)
    later = families_csv(
        family("F001", attached_on="2013-02-01", lead_worker_email=second.email, postcode=""),
        family("F002"),
        family("F003"),
    )
    for dry_run, heading, after_heading in (
        (True, "What the file would change", "Would be"),
        (False, "What the file changed", "After"),
    ):
        form = {"kind": "families", "file": (io.BytesIO(later), "later.csv")}
        if dry_run:
            form["dry_run"] = "y"
        response = submit(client, "/imports/new", form, content_type="multipart/form-data")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert heading in page and f">{after_heading}<" in page
        rows = re.findall(
            r'data-change="([^"]+)" data-field="([^"]+)">.*?'
            r"<td[^>]*data-before>([^<]*)</td>\s*<td[^>]*data-after>([^<]*)</td>",
            page,
            re.S,
        )
        assert rows == [
            ("F001", "status", "identified", "attached"),
            ("F001", "attached_on", "(empty)", "2013-02-01"),
            ("F001", "lead_worker_email", first.email, second.email),
        ]
        assert "1 changing what was held" in page
        assert ("F002" in page) is False
        f001 = _family(clean, "F001")
        assert (f001.lead_worker_id == second.id) is (not dry_run)


def test_a_dry_run_lists_the_changes_on_stderr_and_keeps_its_one_line_on_stdout(clean, make, flask_import):
    run_import(clean, "families", families_csv(family("F001", postcode="S60 1AA"), family("F002")))
    data = families_csv(family("F001", postcode="S61 2BB", attached_on="2013-02-01"), family("F002"), family("F003"))
    result = flask_import("families", data, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout == "accepted 3, rejected 0, unmatched 0\n"
    assert result.stderr.splitlines() == [
        'F001 would change: status "identified" -> "attached"; attached_on (empty) -> "2013-02-01"; '
        'postcode "S60 1AA" -> "S61 2BB"',
        "F001 would be attached without confirmed criteria: it meets 0 of the 3 national criteria and no local filter",
        "Dry run: nothing was changed.",
    ]
    assert (_family(clean, "F001").postcode, _family(clean, "F001").attached_on) == ("S60 1AA", None)
    applied = flask_import("families", data)
    assert applied.stdout == "accepted 3, rejected 0, unmatched 0\n"
    assert applied.stderr.splitlines()[0].startswith('F001 changed: status "identified" -> "attached"')
    assert _family(clean, "F001").postcode == "S61 2BB"


def _member(app, person: str) -> dict:
    with app.app_context():
        return db.session.scalar(select(Member).where(Member.person_ref == person)).audit_state()


def test_a_members_file_with_blank_cells_keeps_the_members_values(clean, make, flask_import):
    run_import(clean, "families", families_csv(family("F001")))
    full = member("F001-01", sex="F", nino="QQ123456C", relationship="mother")
    child = member("F001-02", first_name="Kai", date_of_birth="2005-03-04", upn="A123456789012", relationship="child")
    run_import(clean, "members", members_csv(full, child))
    before = {p: _member(clean, p) for p in ("F001-01", "F001-02")}
    blank = run_import(
        clean,
        "members",
        members_csv(member("F001-01"), member("F001-02", first_name="Kai", date_of_birth="2005-03-04")),
    )
    assert (blank.accepted, blank.tally, blank.changes) == (2, {"created": 0, "updated": 0, "unchanged": 2}, [])
    assert {p: _member(clean, p) for p in before} == before
    # A filled cell corrects, and the dry run says what it would change.
    result = flask_import("members", members_csv(member("F001-01", last_name="Jones", sex="")), "--dry-run")
    assert result.stdout == "accepted 1, rejected 0, unmatched 0\n"
    assert result.stderr.splitlines()[0] == 'F001-01 would change: last_name "Smith" -> "Jones"'
    assert _member(clean, "F001-01")["last_name"] == "Smith"
