"""A spot check of a submitted claim: finance records the families the national team selected,
each finding is recorded once, and a family's results not upheld are clawed back from the
window, which funding counts as money taken back."""

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.case_work import audit_entries, error_summary, sign_in_as, text
from tests.helpers import sign_in, submit
from tests.test_claim_evidence import _assemble
from tests.test_outcomes_cli import _example_one
from tff.claims import operations as claims
from tff.claims import packs
from tff.claims.models import CLAWBACK, ClaimWindow, Payment
from tff.claims.spot_checks.models import SpotCheck, SpotCheckFamily
from tff.extensions import db


@pytest.fixture
def submitted(clean):
    """The 2013-07 claim of three families (£700 each), submitted."""
    for ref in ("F001", "F002", "F003"):
        _example_one(clean, ref)
    return _assemble(clean)


def _url(window_id: int, tail: str = "") -> str:
    return f"/claims/{window_id}/spot-checks{tail}"


def _record(client, window_id, families="F001, F002", day=("2", "9", "2013"), reference="TFU/13/044"):
    return submit(client, _url(window_id), {"families": families, "selected_on": list(day), "reference": reference})


def _check_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(SpotCheck.id))


def _entry_id(app, ref: str) -> int:
    with app.app_context():
        return db.session.scalar(select(SpotCheckFamily.id).where(SpotCheckFamily.family_ref == ref))


def test_finance_records_a_spot_check_and_each_finding_and_a_result_not_upheld_is_clawed_back(
    client, make, clean, submitted
):
    sign_in(client, make.user("finance").email)
    recorded = _record(client, submitted, families="F001\nF002, F001")
    assert recorded.status_code == 302, error_summary(recorded)
    page = text(client.get(recorded.headers["Location"]))
    assert "Spot check of 2 Sep 2013" in page
    assert "Families selected 2" in page and "Still to find 2" in page
    assert "F001: £700 claimed" in page and "F002: £700 claimed" in page and "F003" not in page
    assert len(audit_entries(clean, "spot_check.record")) == 1

    check_id = _check_id(clean)
    sign_in_as(client, make.user("auditor"))
    upheld = submit(
        client,
        _url(submitted, f"/{check_id}/families/{_entry_id(clean, 'F001')}"),
        {f"f{_entry_id(clean, 'F001')}-finding": "upheld", f"f{_entry_id(clean, 'F001')}-note": "Police log agrees"},
    )
    assert upheld.status_code == 302, error_summary(upheld)
    f2 = _entry_id(clean, "F002")
    not_upheld = submit(
        client,
        _url(submitted, f"/{check_id}/families/{f2}"),
        {
            f"f{f2}-finding": "not_upheld",
            f"f{f2}-note": "School roll shows the child left in spring",
            f"f{f2}-clawed_back_on": ["30", "11", "2013"],
        },
    )
    assert not_upheld.status_code == 302, error_summary(not_upheld)
    page = text(client.get(_url(submitted, f"/{check_id}")))
    assert "Upheld Police log agrees" in page
    assert "Not upheld School roll shows the child left in spring" in page
    assert "Clawed back £700" in page and "Still to find 0" in page
    with clean.app_context():
        clawbacks = db.session.execute(select(Payment.kind, Payment.amount, Payment.paid_on, Payment.note)).all()
    assert clawbacks == [
        (
            CLAWBACK,
            -700,
            date(2013, 11, 30),
            f"Spot check {check_id}: F002 not upheld: School roll shows the child left in spring",
        )
    ]
    assert len(audit_entries(clean, "spot_check.finding")) == 2
    assert len(audit_entries(clean, "claim_payment.clawback")) == 1
    # funding counts it as money taken back from the window
    sign_in_as(client, make.user("manager"))
    windows = client.get("/funding/windows.csv").get_data(as_text=True).splitlines()
    assert windows[1].endswith(",700")  # clawed back


def test_a_finding_is_recorded_once(client, make, clean, submitted):
    sign_in(client, make.user("finance").email)
    _record(client, submitted)
    check_id, f1 = _check_id(clean), _entry_id(clean, "F001")
    data = {f"f{f1}-finding": "upheld", f"f{f1}-note": "Agrees"}
    assert submit(client, _url(submitted, f"/{check_id}/families/{f1}"), data).status_code == 302
    again = submit(client, _url(submitted, f"/{check_id}/families/{f1}"), {**data, f"f{f1}-finding": "not_upheld"})
    assert again.status_code == 400
    assert "The finding for F001 is recorded already: upheld" in error_summary(again)
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


@pytest.mark.parametrize(
    ("families", "day", "message"),
    [
        ("F001, F009, F010", ("2", "9", "2013"), "The claim for 2013-07 includes no result of F009, F010"),
        ("", ("2", "9", "2013"), "Enter the references of the families the national team selected"),
        ("F001", ("", "", ""), "Enter the date the national team selected the families"),
        ("F001", ("31", "2", "2013"), "Selected on"),
        ("F001", ("2", "9", "2099"), "must be today or in the past"),
    ],
)
def test_a_spot_check_that_is_wrong_says_where_and_nothing_is_stored(
    client, make, clean, submitted, families, day, message
):
    sign_in(client, make.user("finance").email)
    response = _record(client, submitted, families=families, day=day)
    assert response.status_code == 400
    assert message in error_summary(response)
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(SpotCheck)) == 0


def test_a_finding_needs_its_choice_and_a_note(client, make, clean, submitted):
    sign_in(client, make.user("finance").email)
    _record(client, submitted)
    check_id, f1 = _check_id(clean), _entry_id(clean, "F001")
    response = submit(client, _url(submitted, f"/{check_id}/families/{f1}"), {})
    assert response.status_code == 400
    problems = error_summary(response)
    assert "Choose whether the check upheld the family’s results" in problems
    assert "Say what the check found" in problems


def test_a_draft_claim_has_no_spot_check(client, make, clean):
    _example_one(clean, "F001")
    window_id = _assemble(clean, submit=False)
    sign_in(client, make.user("finance").email)
    page = text(client.get(_url(window_id)))
    assert "A spot check is recorded once the claim is submitted." in page
    refused = _record(client, window_id, families="F001")
    assert refused.status_code == 400
    assert "has not been submitted" in error_summary(refused)


@pytest.mark.parametrize(
    ("role", "reads", "records", "finds"),
    [
        ("finance", 200, True, True),
        ("admin", 200, True, True),
        ("auditor", 200, False, True),
        ("manager", 200, False, False),
        ("coordinator", 403, False, False),
        ("lead_worker", 403, False, False),
    ],
)
def test_who_may_read_record_and_find(client, make, clean, submitted, role, reads, records, finds):
    with clean.app_context():
        window = db.session.get(ClaimWindow, submitted)
        from tff.claims.spot_checks import operations

        operations.record_check(window, date(2013, 9, 2), "F001", None, None)
    sign_in(client, make.user(role).email)
    index = client.get(_url(submitted))
    assert index.status_code == reads
    if reads == 200:
        assert ("Record the spot check" in index.get_data(as_text=True)) is records
        show = client.get(_url(submitted, f"/{_check_id(clean)}")).get_data(as_text=True)
        assert ("Record the finding" in show) is finds
    post = _record(client, submitted, families="F002")
    assert post.status_code == (302 if records else 403)


def test_a_spot_check_s_families_are_packed_for_the_national_team(client, make, clean, submitted, monkeypatch):
    real = packs.start_pack
    monkeypatch.setattr(packs, "start_pack", lambda *a, **kw: real(*a, **{**kw, "queue": False}))
    sign_in(client, make.user("finance").email)
    _record(client, submitted, families="F003, F001")
    started = submit(client, _url(submitted, f"/{_check_id(clean)}/pack"), {})
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    job_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    download = client.get(f"/claims/{submitted}/packs/{job_id}.zip")
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.data)) as pack:
        assert sorted(pack.namelist()) == ["F001.pdf", "F003.pdf", "index.csv"]


def test_a_clawback_never_exceeds_what_is_left_of_the_claim(client, make, clean, submitted):
    """The claim's £2,100, £1,500 clawed back already: a family's £700 is refused, and its
    finding is not recorded either."""
    with clean.app_context():
        window = db.session.get(ClaimWindow, submitted)
        claims.claw_back(window, 1_500, date(2013, 10, 1), "An earlier check")
    sign_in(client, make.user("finance").email)
    _record(client, submitted, families="F001")
    check_id, f1 = _check_id(clean), _entry_id(clean, "F001")
    response = submit(
        client,
        _url(submitted, f"/{check_id}/families/{f1}"),
        {f"f{f1}-finding": "not_upheld", f"f{f1}-note": "Left the area"},
    )
    assert response.status_code == 400
    assert "more than is left of the claim" in error_summary(response)
    with clean.app_context():
        assert db.session.scalar(select(SpotCheckFamily.finding)) is None
