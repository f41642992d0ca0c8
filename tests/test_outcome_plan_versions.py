"""Outcome plans as managers keep them: import (every problem named where it is), store the
shipped plans, export, edit as a new version, adopt from a date; who may do what; and which
version measures a family."""

import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.case_work import error_summary, text
from tests.helpers import sign_in, submit
from tff.audit.models import AuditEntry
from tff.extensions import db
from tff.outcomes.loader import rule_sets
from tff.outcomes.plan_versions.models import OutcomePlanVersion
from tff.outcomes.plan_versions.operations import PlanRefused, adopt, store, store_shipped
from tff.outcomes.plans import default_plans, dump_plan


@pytest.fixture
def manager(client, make):
    user = make.user("manager")
    sign_in(client, user.email)
    return user


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutcomePlanVersion))


def test_a_manager_stores_the_shipped_plans_and_reads_one(client, manager, clean):
    page = text(client.get("/outcome-plans/"))
    assert "Not stored yet: rotherham-2015 v1" in page
    response = submit(client, "/outcome-plans/shipped", {}, form_url="/outcome-plans/")
    assert response.status_code == 302
    page = text(client.get("/outcome-plans/"))
    assert "rotherham-2015 v1" in page and "supporting-families-2022 v1" in page
    assert "In force from 1 Apr 2015" in page and "Not stored yet" not in page
    with clean.app_context():
        version_id = db.session.scalar(select(OutcomePlanVersion.id).where(OutcomePlanVersion.name == "rotherham-2015"))
        actions = db.session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "outcome_plan_version", AuditEntry.object_id == str(version_id)
            )
        ).all()
    assert sorted(actions) == ["outcome_plan.adopt", "outcome_plan.store"]
    shown = text(client.get(f"/outcome-plans/{version_id}"))
    assert "crime_asb" in shown and "£800 after an attachment fee of £1,000" in shown


def test_an_import_with_mistakes_names_each_and_stores_nothing(client, manager, clean):
    plan = json.loads(dump_plan(default_plans()[0], "json"))
    plan["name"], plan["rates"]["result"] = "our-plan", -5
    plan["problems"][1]["test"] = {"all_of": [{"measure": "atendance_rate"}]}
    plan["problems"].append(dict(plan["problems"][0]))
    response = submit(client, "/outcome-plans/new", {"text": json.dumps(plan), "fmt": "json"})
    assert response.status_code == 400
    problems = error_summary(response)
    assert "rates.result" in problems
    assert "unknown measure 'atendance_rate'" in problems and "problems[1]" in problems
    assert "given twice" in problems
    assert _count(clean) == 0
    broken = submit(client, "/outcome-plans/new", {"text": "name: [unclosed", "fmt": "yaml"})
    assert broken.status_code == 400 and "line" in error_summary(broken)
    nothing = submit(client, "/outcome-plans/new", {"text": "", "fmt": "yaml"})
    assert "Choose a plan file, or paste the plan" in error_summary(nothing)


def test_a_file_imports_exports_and_edits_into_a_new_version(client, manager, clean):
    plan = default_plans()[0]
    data = {"file": (io.BytesIO(dump_plan(plan, "yaml").encode()), "rotherham.yaml"), "fmt": "yaml"}
    response = submit(client, "/outcome-plans/new", data, content_type="multipart/form-data")
    assert response.status_code == 302, error_summary(response)
    version_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    exported = client.get(f"/outcome-plans/{version_id}/plan.json")
    assert exported.status_code == 200
    assert "rotherham-2015-v1.json" in exported.headers["Content-Disposition"]
    assert json.loads(exported.get_data(as_text=True))["problems"][0]["code"] == plan.problems[0].code

    # The same version again is refused; the edit page offers the next number.
    again = submit(client, "/outcome-plans/new", {"text": dump_plan(plan, "yaml"), "fmt": "yaml"})
    assert "must be numbered 2" in error_summary(again)
    edit_page = client.get(f"/outcome-plans/{version_id}/edit").get_data(as_text=True)
    assert "version: 2" in edit_page
    edited = (
        dump_plan(plan, "yaml")
        .replace("version: 1", "version: 2")
        .replace("attachment_fee: 1000", "attachment_fee: 900")
    )
    response = submit(client, f"/outcome-plans/{version_id}/edit", {"text": edited})
    assert response.status_code == 302, error_summary(response)
    with clean.app_context():
        versions = dict(db.session.execute(select(OutcomePlanVersion.version, OutcomePlanVersion.document)).all())
    assert versions[1]["rates"]["attachment_fee"] == 1000 and versions[2]["rates"]["attachment_fee"] == 900


def test_adopting_a_version_chooses_it_for_families_attached_from_its_date(client, manager, clean):
    with clean.app_context():
        (first,) = [store(dump_plan(default_plans()[0], "yaml"), "yaml", None)]
        first_id = first.id
    response = submit(client, f"/outcome-plans/{first_id}/adopt", {"in_force_from": ["1", "4", "2015"]})
    assert response.status_code == 302
    bad = submit(client, f"/outcome-plans/{first_id}/adopt", {"in_force_from": ["31", "2", "2015"]})
    assert bad.status_code in (302, 400)
    with clean.app_context():
        second = store(dump_plan(default_plans()[0], "yaml").replace("version: 1", "version: 2"), "yaml", None)
        adopt(second, date(2016, 4, 1))
        plan_for = rule_sets().plan_for
        assert plan_for("phase2", date(2015, 3, 31), None) is None
        assert plan_for("phase2", date(2015, 6, 1), None).version == 1
        assert plan_for("phase2", date(2016, 6, 1), None).version == 2
        assert plan_for("phase2", date(2016, 6, 1), "rotherham-2015 v1").version == 1
        assert plan_for("phase2", date(2016, 6, 1), "rotherham-2015").version == 2
        assert plan_for("supporting_families", date(2016, 6, 1), None) is None
        with pytest.raises(PlanRefused, match="adopted already"):
            adopt(second, date(2017, 1, 1))


def test_who_may_read_and_who_may_change_plans(client, make, clean):
    with clean.app_context():
        store_shipped(None)
        version_id = db.session.scalar(select(OutcomePlanVersion.id).limit(1))
    for role, reads, changes in (
        ("coordinator", 200, 403),
        ("finance", 200, 403),
        ("auditor", 200, 403),
        ("admin", 200, 200),
        ("lead_worker", 403, 403),
    ):
        other = client.application.test_client()
        sign_in(other, make.user(role).email)
        assert other.get("/outcome-plans/").status_code == reads, role
        assert other.get(f"/outcome-plans/{version_id}").status_code == reads, role
        assert other.get("/outcome-plans/new").status_code == changes, role
    assert client.application.test_client().get("/outcome-plans/").status_code == 302  # signed out
