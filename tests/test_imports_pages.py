"""The import pages: upload (real CSRF, real multipart), progress, result, rejected rows and
their report, the raw file, and who may see them."""

import csv
import io

import pytest
from sqlalchemy import func, select

from tests.case_work import text
from tests.conftest import build_app
from tests.helpers import sign_in, submit
from tests.imports_support import families_csv, family, member, members_csv
from tff.audit.models import AuditEntry
from tff.cases.models import Family, Member
from tff.extensions import db
from tff.imports.models import ImportRun


@pytest.fixture
def eager(clean):
    """A queue that runs each task at once, as a worker would."""
    conf = clean.extensions["celery"].conf
    conf.task_always_eager = True
    yield
    conf.task_always_eager = False


def _upload(client, kind: str, data: bytes, filename: str = "file.csv", dry_run: bool = False, **kwargs):
    form = {"kind": kind, "file": (io.BytesIO(data), filename)}
    if dry_run:
        form["dry_run"] = "y"
    return submit(client, "/imports/new", form, content_type="multipart/form-data", **kwargs)


def _run(app, run_id: int) -> ImportRun:
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        db.session.expunge(run)
        return run


def _run_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert location.startswith("/imports/")
    return int(location.rsplit("/", 1)[1])


def test_a_coordinator_uploads_families_then_members_and_sees_the_result(client, make, clean, eager):
    coordinator = make.user("coordinator")
    sign_in(client, coordinator.email)
    response = _upload(
        client,
        "families",
        families_csv(family("F001"), family("F002"), family("F003", identified_on="2013-02-30", postcode="nowhere")),
    )
    run_id = _run_id(response)
    page = client.get(f"/imports/{run_id}").get_data(as_text=True)
    assert 'data-count="accepted">2<' in page
    assert 'data-count="rejected">1<' in page
    assert 'data-count="unmatched">0<' in page
    assert "identified_on &#34;2013-02-30&#34; is not a real date" in page
    assert "postcode &#34;nowhere&#34; is not a UK postcode" in page
    assert f'href="/imports/{run_id}/rejections.csv"' in page
    assert f'href="/imports/{run_id}/file"' in page
    with clean.app_context():
        assert set(db.session.scalars(select(Family.reference))) == {"F001", "F002"}
        assert db.session.get(ImportRun, run_id).started_by_id == coordinator.id
        users = set(db.session.scalars(select(AuditEntry.user_id).where(AuditEntry.action == "family.import_create")))
        assert users == {coordinator.id}

    members = _run_id(_upload(client, "members", members_csv(member("F001-01"), member("F002-01", family_ref="F002"))))
    assert 'data-count="accepted">2<' in client.get(f"/imports/{members}").get_data(as_text=True)
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Member)) == 2

    listing = client.get("/imports/").get_data(as_text=True)
    assert f'href="/imports/{run_id}"' in listing and f'href="/imports/{members}"' in listing


def test_a_dry_run_from_the_page_changes_nothing_and_says_so(client, make, clean, eager):
    sign_in(client, make.user("admin").email)
    run_id = _run_id(_upload(client, "families", families_csv(family("F001")), dry_run=True))
    page = client.get(f"/imports/{run_id}").get_data(as_text=True)
    assert "This was a dry run: nothing was changed" in page
    assert _run(clean, run_id).dry_run is True
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Family)) == 0


def test_a_refused_file_says_why_on_its_page(client, make, clean, eager):
    sign_in(client, make.user("coordinator").email)
    run_id = _run_id(_upload(client, "families", b"family_ref,programme,colour\nF001,phase1,red\n"))
    page = client.get(f"/imports/{run_id}").get_data(as_text=True)
    assert "The file was refused" in page
    assert "a column that the families format does not have: colour" in page
    assert f'href="/imports/{run_id}/file"' not in page
    assert client.get(f"/imports/{run_id}/file").status_code == 404


def test_without_a_worker_the_page_shows_progress_that_updates_itself(client, make, clean):
    sign_in(client, make.user("coordinator").email)
    run_id = _run_id(_upload(client, "families", families_csv(family("F001"))))
    page = client.get(f"/imports/{run_id}").get_data(as_text=True)
    assert 'data-module="tff-job"' in page
    assert f'data-status-url="/imports/{run_id}/status"' in page
    assert 'data-finished="false"' in page
    status = client.get(f"/imports/{run_id}/status").get_json()
    assert (status["state"], status["finished"]) == ("queued", False)


def test_the_raw_file_downloads_as_it_was_uploaded(client, make, clean, eager):
    sign_in(client, make.user("coordinator").email)
    data = families_csv(family("F001", outcome_plan="café"), bom=True)
    run_id = _run_id(_upload(client, "families", data, filename="extract 2013.csv"))
    response = client.get(f"/imports/{run_id}/file")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Disposition"] == 'attachment; filename="extract 2013.csv"'


def test_the_rejection_report_lists_line_reasons_and_cells_with_formulas_neutralised(client, make, clean, eager):
    sign_in(client, make.user("coordinator").email)
    data = (
        b"family_ref,programme,outcome_plan\r\n"
        b"F001,phase2,fine\r\n"
        b'=HYPERLINK("http://evil.example"),phase9,+1\r\n'
        b"-F3,phase1,@SUM(A1)\r\n"
        b'F4,phase2,"two\r\nlines",extra\r\n'
    )
    run_id = _run_id(_upload(client, "families", data))
    response = client.get(f"/imports/{run_id}/rejections.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["line", "reasons", "family_ref", "programme", "outcome_plan"]
    rule = "it must be up to 40 letters, digits, hyphens (-) and underscores (_), starting with a letter or a digit"
    assert rows[1] == [
        "3",
        'programme "phase9" is not one of phase1, phase2, supporting_families; '
        f'family_ref "=HYPERLINK("http://evil.example")" has characters a reference cannot have; {rule}',
        '\'=HYPERLINK("http://evil.example")',
        "phase9",
        "'+1",
    ]
    assert rows[2] == [
        "4",
        "outcome_plan is for phase two and later, and this family is phase1; "
        f'family_ref "-F3" has characters a reference cannot have; {rule}',
        "'-F3",
        "phase1",
        "'@SUM(A1)",
    ]
    assert rows[3] == [
        "5",
        "the row has 4 cells, but the header has 3 columns",
        "F4",
        "phase2",
        "two\r\nlines",
        "extra",
    ]
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"kind": "families"}, "Choose a CSV file to import"),
        ({"kind": "", "file": (b"x", "f.csv")}, "Choose what the file holds"),
        ({"kind": "families", "file": (b"PK\x03\x04", "families.xlsx")}, "must be a CSV file"),
        ({"kind": "families", "file": (b"\x89PNG", "families.csv", "image/png")}, "must be a CSV file"),
        ({"kind": "claims", "file": (b"x", "f.csv")}, "Not a valid choice"),
    ],
    ids=["no-file", "no-kind", "a-spreadsheet", "an-image", "an-unknown-format"],
)
def test_the_upload_form_says_what_is_missing_or_wrong(client, make, clean, form, error):
    sign_in(client, make.user("coordinator").email)
    if "file" in form:
        form = {**form, "file": (io.BytesIO(form["file"][0]), *form["file"][1:])}
    response = submit(client, "/imports/new", form, content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert error in page
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_an_upload_without_a_csrf_token_is_refused(client, make, clean):
    sign_in(client, make.user("coordinator").email)
    response = client.post(
        "/imports/new",
        data={"kind": "families", "file": (io.BytesIO(families_csv(family("F001"))), "f.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_a_file_over_the_size_limit_gets_a_clear_413(database_url, make):
    user = make.user("coordinator")
    app = build_app(database_url, MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    sign_in(client, user.email)
    response = _upload(client, "families", families_csv(*(family(f"F{n:04d}") for n in range(400))))
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


@pytest.mark.parametrize("role", ["lead_worker", "finance", "manager", "auditor"])
def test_only_coordinators_and_administrators_may_import_or_see_imports(client, make, clean, eager, role):
    coordinator = make.user("coordinator")
    sign_in(client, coordinator.email)
    run_id = _run_id(_upload(client, "families", families_csv(family("F001", programme="?"))))

    other = clean.test_client()
    sign_in(other, make.user(role).email)
    for url in ["/imports/", "/imports/new", f"/imports/{run_id}", f"/imports/{run_id}/status"]:
        assert other.get(url).status_code == 403, url
    for url in [f"/imports/{run_id}/file", f"/imports/{run_id}/rejections.csv"]:
        assert other.get(url).status_code == 403, url
    assert 'href="/imports/"' not in other.get("/").get_data(as_text=True)

    admin = clean.test_client()
    sign_in(admin, make.user("admin").email)
    assert 'href="/imports/"' in admin.get("/").get_data(as_text=True)
    for url in ["/imports/", "/imports/new", f"/imports/{run_id}", f"/imports/{run_id}/rejections.csv"]:
        assert admin.get(url).status_code == 200, url


def test_the_upload_form_carries_a_csrf_token_and_takes_files(client, make):
    sign_in(client, make.user("coordinator").email)
    page = client.get("/imports/new").get_data(as_text=True)
    form = page.split("<form")[2] if page.count("<form") > 1 else page.split("<form")[1]
    assert 'enctype="multipart/form-data"' in form
    assert 'name="csrf_token"' in form
    assert 'type="file"' in form and 'name="file"' in form


def test_the_import_form_offers_each_format_s_template_and_allowed_values(client, make, clean):
    sign_in(client, make.user("coordinator").email)
    page = text(client.get("/imports/new"))
    # (the words of the page as `text` reads them: a space where each code's tag was)
    assert "programme : one of phase1 , phase2 , supporting_families" in page
    assert "term : one of autumn , spring , summer" in page
    assert "kind : one of asb , offence" in page
    assert "Download a template of the families file (CSV)" in page
    template = client.get("/imports/templates/attendance.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert "attendance-template.csv" in template.headers["Content-Disposition"]
    header = template.get_data(as_text=True).splitlines()
    assert len(header) == 1 and header[0].startswith("academic_year,term,possible_sessions,")
    assert "person_ref" in header[0].split(",")
    families = client.get("/imports/templates/families.csv").get_data(as_text=True)
    assert families.splitlines()[0].startswith("family_ref,programme,identified_on")
    assert client.get("/imports/templates/nope.csv").status_code == 404
