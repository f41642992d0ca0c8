"""families.csv has no column for phase one's national criteria: a person confirms them. A row
attaching a family not eligible on its confirmed criteria (with the row's imported local
filters and headline problems) is accepted, the attachment having happened in the council's
case system, and the family carries why as an override, audited and listed by the import, so
that its attachment fee and claims show it like any other override."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.case_work import audit_entries, text
from tests.helpers import sign_in
from tests.imports_support import families_csv, family, run_import
from tff.cases.models import Family, FamilyCriterion
from tff.cases.models.identification import CONFIRMED, FROM_EVIDENCE
from tff.extensions import db
from tff.outcomes.plan_versions.operations import store_shipped


@pytest.fixture
def plans(clean):
    with clean.app_context():
        store_shipped(None)


def _family(app, ref):
    with app.app_context():
        found = db.session.scalar(select(Family).where(Family.reference == ref))
        return found.status, found.attach_override_reason


def test_a_phase_one_row_that_attaches_is_accepted_and_carries_why(clean):
    done = run_import(
        clean, "families", families_csv(family("F001", attached_on="2013-02-01", local_criteria="benefit_cap"))
    )
    assert done.accepted == 1 and done.rejected == 0
    status, reason = _family(clean, "F001")
    assert status == "attached"
    assert reason == (
        f"attached by import {done.id} (families.csv, line 2) before its criteria were confirmed: it meets 0 of the "
        "3 national criteria and 1 local filter (Affected by the benefit cap)"
    )
    assert done.unconfirmed == [
        ("F001", "meets 0 of the 3 national criteria and 1 local filter (Affected by the benefit cap)")
    ]
    [(summary, before, after, _)] = audit_entries(clean, "family.import_attach_unconfirmed", "F001")
    assert summary.startswith("Family F001 attached without meeting the criteria: attached by import")
    assert after == {"attach_override_reason": reason}


def test_an_identified_family_with_its_criteria_confirmed_is_attached_by_a_row_without_a_word(clean):
    run_import(clean, "families", families_csv(family("F001")))
    with clean.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == "F001"))
        db.session.add(FamilyCriterion(family_id=family_id, kind="national", code="crime_asb", source=CONFIRMED))
        db.session.add(
            FamilyCriterion(
                family_id=family_id, kind="national", code="work", source=FROM_EVIDENCE, confirmed_at=date(2013, 1, 20)
            )
        )
        # suggested by the evidence and never confirmed: does not count
        db.session.add(FamilyCriterion(family_id=family_id, kind="national", code="education", source=FROM_EVIDENCE))
        db.session.commit()
    short = run_import(clean, "families", families_csv(family("F001", attached_on="2013-02-01")), dry_run=True)
    assert short.unconfirmed == [
        (
            "F001",
            "meets 2 of the 3 national criteria (Adults on out-of-work benefits, "
            "Youth crime or anti-social behaviour) and no local filter",
        )
    ]
    assert _family(clean, "F001") == ("identified", None)  # a dry run changes nothing

    done = run_import(
        clean, "families", families_csv(family("F001", attached_on="2013-02-01", local_criteria="deprived_area"))
    )
    assert done.unconfirmed == []
    assert _family(clean, "F001") == ("attached", None)
    assert audit_entries(clean, "family.import_attach_unconfirmed") == []


def test_later_programmes_are_judged_on_the_problems_the_row_imports(clean, plans):
    rows = [
        family(
            "P001",
            programme="phase2",
            identified_on="2015-05-01",
            attached_on="2015-06-01",
            problems="crime_asb;health",
        ),
        family("P002", programme="phase2", identified_on="2015-05-01", attached_on="2015-06-01", problems="health"),
    ]
    done = run_import(clean, "families", families_csv(*rows))
    assert done.accepted == 2
    assert _family(clean, "P001") == ("attached", None)
    status, reason = _family(clean, "P002")
    assert status == "attached" and "it has 1 headline problem (health), and 2 or more are needed" in reason
    assert [ref for ref, _ in done.unconfirmed] == ["P002"]


def test_the_import_page_and_the_command_list_them(clean, client, make):
    coordinator = make.user("coordinator")
    done = run_import(clean, "families", families_csv(family("F001", attached_on="2013-02-01")), user_id=coordinator.id)
    sign_in(client, coordinator.email)
    response = client.get(f"/imports/{done.id}")
    page = text(response)
    assert "1 family was attached without meeting the criteria on what is confirmed" in page
    assert "F001 : it meets 0 of the 3 national criteria and no local filter" in page
    assert 'href="/families/F001"' in response.get_data(as_text=True)
    assert "Attached without meeting the criteria: attached by import" in text(client.get("/families/F001"))


def test_flask_import_says_so_on_stderr(clean, tmp_path):
    path = tmp_path / "families.csv"
    path.write_bytes(families_csv(family("F001", attached_on="2013-02-01")))
    result = clean.test_cli_runner().invoke(args=["import", "families", str(path)])
    assert result.exit_code == 0, result.output
    assert "F001 attached without confirmed criteria: it meets 0 of the 3 national criteria and no local filter" in (
        result.output
    )
