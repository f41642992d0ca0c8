"""`flask plans import | adopt | list | export` as the command-line contract fixes them: a data
team stores, adopts, lists and exports outcome plan versions from a script, through the same
operations as the Outcome plans pages (audited, with no user), with exit 2 and every problem
named where it is when the input is unusable, and exit 1 when the operation refuses."""

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from tests.case_work import audit_entries
from tff.extensions import db
from tff.outcomes.loader import rule_sets
from tff.outcomes.plan_versions.models import OutcomePlanVersion
from tff.outcomes.plans import DEFAULT_PLAN_FILES, DEFAULTS, default_plans, dump_plan, load_plan, parse_plan

ROTHERHAM = DEFAULTS / "rotherham-2015.yaml"


@pytest.fixture
def run(clean):
    runner = clean.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["plans", *map(str, args)])

    return invoke


def _stored(app) -> list[tuple[str, int, date | None]]:
    with app.app_context():
        query = select(OutcomePlanVersion.name, OutcomePlanVersion.version, OutcomePlanVersion.in_force_from)
        return [
            tuple(r) for r in db.session.execute(query.order_by(OutcomePlanVersion.name, OutcomePlanVersion.version))
        ]


def _document(app, name: str, version: int):
    with app.app_context():
        found = db.session.scalar(
            select(OutcomePlanVersion.document).where(
                OutcomePlanVersion.name == name, OutcomePlanVersion.version == version
            )
        )
        return parse_plan(found)


def _list_line(run, name: str, version: int) -> str:
    result = run("list")
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.stdout.splitlines() if line.split()[:2] == [name, str(version)]]
    return line


def test_importing_the_shipped_plans_prints_each_name_and_version(run, clean):
    for name in DEFAULT_PLAN_FILES:
        result = run("import", DEFAULTS / name)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
    assert _stored(clean) == [("rotherham-2015", 1, None), ("supporting-families-2022", 1, None)]
    assert run("import", ROTHERHAM).stdout == "rotherham-2015 2\n"  # stored again: the next version
    assert run("import", ROTHERHAM).stdout == "rotherham-2015 3\n"
    assert _document(clean, "rotherham-2015", 3) == replace(default_plans()[0], version=3)
    entries = audit_entries(clean, "outcome_plan.store")
    assert len(entries) == 4
    summary, _before, after, user_id = entries[1]
    assert summary.startswith("Outcome plan supporting-families-2022 v1 (")
    assert summary.endswith(") imported from the command line")
    assert after["framework"] == "supporting_families" and user_id is None


def test_the_first_import_prints_the_documents_own_numbers(run, clean):
    assert run("import", ROTHERHAM).stdout == "rotherham-2015 1\n"
    assert run("import", DEFAULTS / "supporting-families-2022.yaml").stdout == "supporting-families-2022 1\n"


def test_an_invalid_plan_names_every_problem_where_it_is_and_stores_nothing(run, clean, tmp_path):
    plan = json.loads(dump_plan(default_plans()[0], "json"))
    plan["name"], plan["rates"]["result"] = "our-plan", -5
    plan["problems"][1]["test"] = {"all_of": [{"measure": "atendance_rate"}]}
    plan["problems"].append(dict(plan["problems"][0]))
    # no .json extension: read as JSON by its content
    path = tmp_path / "our-plan.txt"
    path.write_text(json.dumps(plan), encoding="utf-8")
    result = run("import", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: the plan in {path} was not stored:"
    assert any(line.startswith("rates.result") for line in lines)
    assert any("problems[1]" in line and "unknown measure 'atendance_rate'" in line for line in lines)
    assert any("given twice" in line for line in lines)
    assert len(lines) >= 4  # one line per problem
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: rotherham-2015\nversion: [1\n", encoding="utf-8")
    result = run("import", broken)
    assert result.exit_code == 2 and "line" in result.stderr
    assert _stored(clean) == []
    assert audit_entries(clean, "outcome_plan.store") == []


def test_an_unreadable_file_is_refused_with_the_upload_pages_reasons(run, clean, tmp_path):
    missing = run("import", tmp_path / "nowhere.yaml")
    assert missing.exit_code == 2
    assert f"cannot read {tmp_path / 'nowhere.yaml'}: No such file or directory" in missing.stderr
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(ROTHERHAM.read_bytes().replace(b"Rotherham Family", b"Rotherham Famil\xe9"))
    result = run("import", latin)
    assert result.exit_code == 2
    assert "The file is not UTF-8 text: save it as UTF-8" in result.stderr
    nul = tmp_path / "nul.yaml"
    nul.write_bytes(b"name: rotherham-2015\nversion: 1\ntitle: R\x00\n")
    result = run("import", nul)
    assert result.exit_code == 2
    assert "Line 3 holds a NUL byte (\\x00): the file is not plain text" in result.stderr
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(ROTHERHAM.read_bytes() + b"#" * (512 * 1024))
    result = run("import", huge)
    assert result.exit_code == 2 and "The file is larger than 512 KB: a plan is a few KB" in result.stderr
    assert _stored(clean) == []


def test_adopting_puts_a_version_in_force_from_the_date(run, clean):
    run("import", ROTHERHAM)
    run("import", ROTHERHAM)
    assert "not adopted" in _list_line(run, "rotherham-2015", 1)
    result = run("adopt", "rotherham-2015", 1, "--from", "2016-04-01")
    assert result.exit_code == 0, result.output
    line = _list_line(run, "rotherham-2015", 1)
    assert line.split()[2] == "phase2"
    assert "in force from 2016-04-01" in line and " to " not in line
    assert "not adopted" in _list_line(run, "rotherham-2015", 2)
    [(summary, before, after, user_id)] = audit_entries(clean, "outcome_plan.adopt")
    assert summary == "Outcome plan rotherham-2015 v1 adopted, in force from 2016-04-01"
    assert after == {"in_force_from": "2016-04-01"} and user_id is None

    # the next version takes over: the first is in force up to the day before
    assert run("adopt", "rotherham-2015", 2, "--from", "2017-04-01").exit_code == 0
    assert "in force from 2016-04-01 to 2017-03-31" in _list_line(run, "rotherham-2015", 1)
    assert "in force from 2017-04-01" in _list_line(run, "rotherham-2015", 2)
    with clean.app_context():
        rules = rule_sets()
        assert rules.plan_for("phase2", date(2016, 3, 31), None) is None
        assert rules.plan_for("phase2", date(2016, 4, 1), None).version == 1
        assert rules.plan_for("phase2", date(2017, 3, 31), None).version == 1
        assert rules.plan_for("phase2", date(2017, 4, 1), None).version == 2


def test_adopting_a_version_adopted_already_is_refused(run, clean):
    run("import", ROTHERHAM)
    assert run("adopt", "rotherham-2015", 1, "--from", "2015-04-01").exit_code == 0
    again = run("adopt", "rotherham-2015", 1, "--from", "2016-04-01")
    assert again.exit_code == 1
    assert "rotherham-2015 v1 was adopted already, in force from 1 April 2015" in again.stderr
    assert _stored(clean) == [("rotherham-2015", 1, date(2015, 4, 1))]
    assert len(audit_entries(clean, "outcome_plan.adopt")) == 1


def test_unknown_plans_and_versions_are_unusable(run, clean, tmp_path):
    run("import", ROTHERHAM)
    unknown = run("adopt", "rotherham-2015", 2, "--from", "2015-04-01")
    assert unknown.exit_code == 2
    assert "rotherham-2015 has no version 2; its stored versions are 1" in unknown.stderr
    nobody = run("export", "sheffield-2015", 1, "--out", tmp_path / "plan.yaml")
    assert nobody.exit_code == 2 and "no outcome plan called sheffield-2015 is stored" in nobody.stderr
    assert run("export", "rotherham-2015", 7, "--out", tmp_path / "plan.yaml").exit_code == 2
    assert not (tmp_path / "plan.yaml").exists()
    assert run("adopt", "rotherham-2015", "one", "--from", "2015-04-01").exit_code == 2
    assert _stored(clean) == [("rotherham-2015", 1, None)]


@pytest.mark.parametrize(("day", "code"), [("1899-12-31", 2), ("1900-01-01", 0), ("2101-01-01", 2), ("2015-02-30", 2)])
def test_the_date_must_be_a_plausible_date(run, clean, day, code):
    run("import", ROTHERHAM)
    result = run("adopt", "rotherham-2015", 1, "--from", day)
    assert result.exit_code == code, result.output
    assert _stored(clean) == [("rotherham-2015", 1, date.fromisoformat(day) if code == 0 else None)]
    if day.startswith("1899"):
        assert "is before 1 January 1900, the earliest date the product accepts" in result.stderr


@pytest.mark.parametrize("extension", ["yaml", "yml", "json"])
def test_an_export_imports_back_as_the_same_document(run, clean, tmp_path, extension):
    run("import", ROTHERHAM)
    out = tmp_path / f"rotherham.{extension}"
    result = run("export", "rotherham-2015", 1, "--out", out)
    assert result.exit_code == 0, result.output
    written = out.read_text(encoding="utf-8")
    assert load_plan(written, "json" if extension == "json" else "yaml") == default_plans()[0]
    if extension == "json":
        assert json.loads(written)["name"] == "rotherham-2015"
    else:
        assert written.startswith("name: rotherham-2015\n")
    assert run("import", out).stdout == "rotherham-2015 2\n"
    assert _document(clean, "rotherham-2015", 2) == replace(_document(clean, "rotherham-2015", 1), version=2)


def test_an_export_to_another_extension_is_unusable(run, clean, tmp_path):
    run("import", ROTHERHAM)
    result = run("export", "rotherham-2015", 1, "--out", tmp_path / "plan.txt")
    assert result.exit_code == 2
    assert "must end .yaml, .yml or .json" in result.stderr
    assert not (tmp_path / "plan.txt").exists()


def test_listing_no_plans_says_so(run, clean):
    result = run("list")
    assert result.exit_code == 0 and result.stdout == "No outcome plan is stored.\n"
