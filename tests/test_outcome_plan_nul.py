"""A plan holding a NUL, as a byte of its file or written as an escape, is refused naming where
it is, and nothing is stored (PostgreSQL cannot store a NUL in text or JSON)."""

import io
import json

import pytest
from sqlalchemy import func, select

from tests.case_work import error_summary
from tests.helpers import sign_in, submit
from tff.extensions import db
from tff.outcomes.plan_versions.models import OutcomePlanVersion
from tff.outcomes.plan_versions.operations import PlanRefused, store
from tff.outcomes.plans import default_plans, dump_plan


@pytest.fixture
def manager(client, make):
    user = make.user("manager")
    sign_in(client, user.email)
    return user


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutcomePlanVersion))


def _plan() -> dict:
    plan = json.loads(dump_plan(default_plans()[0], "json"))
    plan["name"] = "our-plan"
    return plan


def _upload(client, data: bytes, filename: str):
    form = {"file": (io.BytesIO(data), filename), "fmt": "yaml"}
    return submit(client, "/outcome-plans/new", form, content_type="multipart/form-data")


def test_a_plan_file_with_a_nul_byte_is_refused_naming_its_line(client, manager, clean):
    text = dump_plan(default_plans()[0], "yaml").replace("version: 1", "version: 1\ntitle2: a\x00b", 1)
    line = text[: text.index("\x00")].count("\n") + 1
    assert line > 1
    response = _upload(client, text.encode(), "plan.yaml")
    assert response.status_code == 200
    assert f"Line {line} holds a NUL byte" in error_summary(response)
    assert _count(clean) == 0


def test_a_json_plan_file_with_an_escaped_nul_is_refused_naming_where(client, manager, clean):
    plan = _plan()
    plan["title"] = "Our plan\x00"
    data = json.dumps(plan).encode()  # the NUL written as \u0000
    assert b"\\u0000" in data and b"\x00" not in data
    response = _upload(client, data, "plan.json")
    assert response.status_code == 400
    assert "title: a NUL character" in error_summary(response)
    assert _count(clean) == 0


def test_a_pasted_yaml_plan_with_an_escaped_nul_in_a_problem_is_refused_naming_where(client, manager, clean):
    text = dump_plan(default_plans()[0], "yaml").replace("name: rotherham-2015", "name: our-plan", 1)
    title = "  title: Parents and children involved in crime or anti-social behaviour\n"
    assert title in text
    text = text.replace(title, '  title: "Crime\\0"\n', 1)  # YAML's escape for a NUL
    response = submit(client, "/outcome-plans/new", {"text": text, "fmt": "yaml"})
    assert response.status_code == 400
    assert "problems[0].title: a NUL character" in error_summary(response)
    assert _count(clean) == 0


def test_storing_a_plan_with_a_nul_is_refused_whatever_calls_it(clean):
    with clean.app_context():
        with pytest.raises(PlanRefused) as refused:
            store("name: our-plan\n\x00", "yaml", None)
        assert refused.value.errors == ["line 2: a NUL character (\\x00), which a plan cannot hold"]
    assert _count(clean) == 0
