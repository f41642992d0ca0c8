"""The claim's controls, as a finance officer and an internal auditor meet them: the audit
sample is never drawn again over internal audit's checks (only an auditor starts the audit
again, with a reason); the claim is submitted from a page that shows what it sends; a line whose
family internal audit rejected in an earlier window is flagged; whoever assembled the draft or
excluded a line does not check it; the auditor goes from one sampled line to the next, from
their home page."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from tests.case_work import audit_entries, error_summary, text
from tests.helpers import sign_in, submit
from tests.test_outcomes_cli import _example_one
from tff.audit.operations import record
from tff.auth.models import User
from tff.cases.models import Family
from tff.claims import operations
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimLine, ClaimWindow
from tff.extensions import db
from tff.timeutil import utcnow

CRIME = "crime_asb_education"
WORK = "continuous_employment"
#: the check-your-answers page's button
BUTTON = re.compile(r">\s*Submit the claim\s*</button>")


def _draft(app, name, as_of, lines, assembled_by=None, sample_percent=100):
    """A draft window whose assembly wrote these (family reference, outcome, amount) lines, as
    `assembled_by` (a user id; None: the command line); returns its id."""
    with app.app_context():
        window = operations.create_window(name, as_of, sample_percent=sample_percent)
        batch = db.session.scalar(select(ClaimBatch).where(ClaimBatch.window_id == window.id))
        for ref, outcome, amount in lines:
            family = db.session.scalar(select(Family).where(Family.reference == ref))
            if family is None:
                family = Family(reference=ref, programme="phase1", status="attached", attached_on=date(2012, 9, 15))
                db.session.add(family)
                db.session.flush()
            db.session.add(
                ClaimLine(
                    batch_id=batch.id,
                    family_id=family.id,
                    family_ref=ref,
                    outcome=outcome,
                    attachment_year="2012/13",
                    amount=amount,
                    rule_set="phase1",
                    reasons=["asb 5 -> 1"],
                )
            )
        batch.assembled_at = utcnow() - timedelta(seconds=1)
        user = db.session.get(User, assembled_by) if assembled_by else None
        record("claim_batch.assemble", "claim_batch", batch.id, f"Claim assembled: {len(lines)} lines", user=user)
        db.session.commit()
        return window.id


def _line_id(app, window_id, ref, outcome=CRIME):
    with app.app_context():
        return db.session.scalar(
            select(ClaimLine.id)
            .join(ClaimBatch, ClaimBatch.id == ClaimLine.batch_id)
            .where(ClaimBatch.window_id == window_id, ClaimLine.family_ref == ref, ClaimLine.outcome == outcome)
        )


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


@pytest.fixture
def people(clean, make):
    """A finance officer (who assembles the drafts) and two internal auditors."""
    return {
        "finance": make.user("finance", name="Fran Finance"),
        "auditor": make.user("auditor", name="Avi Auditor"),
        "other_auditor": make.user("auditor", name="Olu Auditor"),
        "admin": make.user("admin", name="Ada Admin"),
    }


@pytest.fixture
def draft(clean, people):
    """2013-07, assembled by the finance officer: F001 and F002 (£700 each) and F003's two
    results; every included line in the sample (100%)."""
    window_id = _draft(
        clean,
        "2013-07",
        date(2013, 7, 31),
        [("F001", CRIME, 700), ("F002", CRIME, 700), ("F003", CRIME, 700), ("F003", WORK, 800)],
        assembled_by=people["finance"].id,
    )
    return window_id


def _check(client, app, window_id, ref, note="School and police records seen", outcome=CRIME, reject=False):
    url = f"/claims/{window_id}/lines/{_line_id(app, window_id, ref, outcome)}"
    action = {"reject": "Reject the line"} if reject else {"verify": "Verify the line"}
    return submit(client, f"{url}/audit", {"note": note, **action}, form_url=url)


def _sample(client, window_id):
    url = f"/claims/{window_id}"
    return submit(client, f"{url}/sample", {}, form_url=url)


# --- the sample, once checked, is kept -------------------------------------------------------


def test_the_sample_is_not_drawn_again_once_internal_audit_has_checked_a_line(clean, people, draft):
    finance, auditor = _client(clean, people["finance"]), _client(clean, people["auditor"])
    assert _sample(finance, draft).status_code == 302
    # Nothing checked yet: drawing it again is offered, and allowed.
    assert "Draw the audit sample again" in finance.get(f"/claims/{draft}").get_data(as_text=True)
    assert _sample(finance, draft).status_code == 302

    assert _check(auditor, clean, draft, "F001").status_code == 302
    page = finance.get(f"/claims/{draft}")
    assert "Draw the audit sample again" not in page.get_data(as_text=True)
    assert "Internal audit has checked 1 line of the sample, so the sample cannot be drawn again" in text(page)

    # A post that goes round the page is refused, and the check stays.
    refused = _sample(finance, draft)
    assert refused.status_code == 200
    assert "the sample cannot be drawn again" in error_summary(refused)
    line_page = text(finance.get(f"/claims/{draft}/lines/{_line_id(clean, draft, 'F001')}"))
    assert "Verified: School and police records seen" in line_page
    assert len(audit_entries(clean, "claim_batch.sample")) == 2

    # The command line is refused too (cli.md), exit 1 with the reason.
    result = clean.test_cli_runner().invoke(args=["claims", "sample", "2013-07"])
    assert result.exit_code == 1 and "cannot be drawn again" in result.output


def test_an_auditor_starts_the_audit_again_with_a_reason(clean, people, draft):
    finance, auditor = _client(clean, people["finance"]), _client(clean, people["auditor"])
    _sample(finance, draft)
    assert _check(auditor, clean, draft, "F001").status_code == 302
    assert _check(auditor, clean, draft, "F002", note="No police record found", reject=True).status_code == 302
    # The finance officer may not start it again, and is not offered it.
    assert finance.get(f"/claims/{draft}/audit/restart").status_code == 403
    assert "Start the audit again" not in finance.get(f"/claims/{draft}").get_data(as_text=True)
    with clean.app_context():
        window = db.session.get(ClaimWindow, draft)
        with pytest.raises(operations.ClaimRefused, match="Only an internal auditor or an administrator"):
            operations.restart_audit(window, "Because", user=db.session.get(User, people["finance"].id))

    url = f"/claims/{draft}/audit/restart"
    assert "Start the audit again" in auditor.get(f"/claims/{draft}").get_data(as_text=True)
    form = auditor.get(url)
    assert form.status_code == 200 and "Internal audit has checked 2 lines of the sample" in text(form)
    # No reason: said beside the field, nothing changed.
    missing = submit(auditor, url, {"reason": "  "})
    assert missing.status_code == 200
    assert "Say why the audit is started again" in error_summary(missing)
    assert re.search(r'govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span> Say why', missing.text)
    assert audit_entries(clean, "claim_batch.restart_audit") == []

    done = submit(auditor, url, {"reason": "Checked against the wrong cut-off date"})
    assert done.status_code == 302 and done.headers["Location"] == f"/claims/{draft}"
    page = auditor.get(f"/claims/{draft}")
    assert "The audit of 2013-07 was started again: a new sample of 4 lines is drawn" in text(page)
    assert 'data-sample-left="4"' in page.get_data(as_text=True)
    # The rejected line is back in the claim, unchecked; the verified one unchecked.
    assert 'data-line-status="rejected"' not in page.get_data(as_text=True)
    assert 'data-line-status="verified"' not in page.get_data(as_text=True)
    assert 'data-total="claimed">£2,900' in page.get_data(as_text=True)
    ((summary, before, after, user_id),) = audit_entries(clean, "claim_batch.restart_audit")
    assert user_id == people["auditor"].id
    assert "2 checks cleared, 1 rejected line included again" in summary
    assert "Checked against the wrong cut-off date" in summary and after["reason"].startswith("Checked against")
    assert {c["audit_state"] for c in before["checks"]} == {"verified", "rejected"}
    assert len(audit_entries(clean, "claim_batch.sample")) == 2  # the new sample, drawn in the same change
    # The finance officer may draw the new sample again while nothing of it is checked.
    assert _sample(finance, draft).status_code == 302


def test_a_line_excluded_by_finance_stays_excluded_when_the_audit_starts_again(clean, people, draft):
    finance, auditor = _client(clean, people["finance"]), _client(clean, people["auditor"])
    line_url = f"/claims/{draft}/lines/{_line_id(clean, draft, 'F003', WORK)}"
    assert submit(finance, f"{line_url}/review", {"reason": "Claimed by hand in 2013-01"}, form_url=line_url)
    _sample(finance, draft)
    _check(auditor, clean, draft, "F001")
    assert submit(auditor, f"/claims/{draft}/audit/restart", {"reason": "New evidence cut-off"}).status_code == 302
    assert 'data-line-status="excluded"' in auditor.get(line_url).get_data(as_text=True)
    assert "Claimed by hand in 2013-01" in text(auditor.get(line_url))


# --- check your answers ------------------------------------------------------------------------


def test_the_claim_is_submitted_from_a_page_that_shows_what_it_sends(clean, people, draft):
    finance, auditor = _client(clean, people["finance"]), _client(clean, people["auditor"])
    check_url = f"/claims/{draft}/submit"
    # Before the sample: the page says why it cannot be submitted, and has no button.
    page = finance.get(check_url)
    assert page.status_code == 200
    assert "You cannot submit the claim yet" in text(page) and "has not drawn its sample" in text(page)
    assert not BUTTON.search(page.get_data(as_text=True))

    line_url = f"/claims/{draft}/lines/{_line_id(clean, draft, 'F003', WORK)}"
    submit(finance, f"{line_url}/review", {"reason": "Employment not evidenced"}, form_url=line_url)
    _sample(finance, draft)
    _check(auditor, clean, draft, "F001")
    _check(auditor, clean, draft, "F002")
    _check(auditor, clean, draft, "F003", note="Attendance not evidenced", reject=True)

    window_page = finance.get(f"/claims/{draft}").get_data(as_text=True)
    assert f'href="{check_url}"' in window_page and "Check and submit the claim" in window_page
    page = finance.get(check_url)
    words = text(page)
    assert "Check the claim before you submit it" in words
    assert "Crime, anti-social behaviour and education, families attached in 2012/13 2 lines, £1,400" in words
    assert "Total claimed 2 lines, £1,400" in words
    rows = re.findall(r'data-excluded="([^"]+)"', page.get_data(as_text=True))
    assert rows == [f"F003 {WORK}", f"F003 {CRIME}"]
    assert "F003 Continuous employment £800 Employment not evidenced Fran Finance" in words
    assert "Rejected by internal audit: Attendance not evidenced Avi Auditor" in words
    html = page.get_data(as_text=True)
    for what, n in (("sampled", 3), ("verified", 2), ("rejected", 1), ("left", 0)):
        assert f'data-sample="{what}">{n}</span>' in html, what
    assert BUTTON.search(html)
    # Looking at the page submits nothing; nor does a post that skips it.
    skipped = submit(finance, check_url, {}, form_url=check_url)
    assert skipped.status_code == 303 and skipped.headers["Location"] == check_url
    with clean.app_context():
        assert db.session.get(ClaimWindow, draft).batch.state == "draft"
    assert audit_entries(clean, "claim_batch.submit") == []
    # The auditor may not submit.
    assert auditor.get(check_url).status_code == 403

    done = submit(finance, check_url, {"confirmed": "checked"})
    assert done.status_code == 302 and done.headers["Location"] == f"/claims/{draft}"
    assert "Claim for 2013-07 submitted" in text(finance.get(f"/claims/{draft}"))
    with clean.app_context():
        assert db.session.get(ClaimWindow, draft).batch.state == SUBMITTED
    ((summary, _, _, user_id),) = audit_entries(clean, "claim_batch.submit")
    assert user_id == people["finance"].id and summary == "Claim for 2013-07 submitted"
    # Submitted: the page is the window's.
    assert finance.get(check_url).headers["Location"] == f"/claims/{draft}"


# --- a family internal audit rejected before ------------------------------------------------


def test_a_family_rejected_in_an_earlier_window_is_flagged_in_a_later_draft(clean, people):
    auditor, finance = _client(clean, people["auditor"]), _client(clean, people["finance"])
    earlier = _draft(clean, "2013-07", date(2013, 7, 31), [("F114", CRIME, 700), ("F200", CRIME, 700)])
    _sample(finance, earlier)
    _check(auditor, clean, earlier, "F114", note="School returns do not match", reject=True)
    _check(auditor, clean, earlier, "F200")
    later = _draft(
        clean,
        "2014-01",
        date(2014, 1, 31),
        [("F114", CRIME, 700), ("F114", WORK, 800), ("F200", WORK, 800), ("F300", CRIME, 700)],
    )

    page = finance.get(f"/claims/{later}").get_data(as_text=True)
    flagged = re.findall(r'data-line="([^"]+)">(?:(?!</tr>).)*data-rejected-before', page, re.S)
    assert flagged == [f"F114 {WORK}", f"F114 {CRIME}"]
    line = text(finance.get(f"/claims/{later}/lines/{_line_id(clean, later, 'F114', WORK)}"))
    assert (
        "Internal audit rejected this family’s Crime, anti-social behaviour and education in window 2013-07: "
        "School returns do not match" in line
    )
    assert "Rejected before" not in text(finance.get(f"/claims/{later}/lines/{_line_id(clean, later, 'F200', WORK)}"))
    # The page that checks the claim before it is submitted says so too.
    assert "2 included lines are of families internal audit rejected a line of in an earlier window" in text(
        finance.get(f"/claims/{later}/submit")
    )
    # The earlier window's own page flags nothing: the rejection is its own, not an earlier one.
    assert "data-rejected-before" not in finance.get(f"/claims/{earlier}").get_data(as_text=True)


def test_the_flags_are_found_in_one_query_for_the_page(clean, people):
    """However many lines the page lists, the earlier rejections are read by one statement."""
    _draft(clean, "2013-07", date(2013, 7, 31), [(f"F{i:03d}", CRIME, 700) for i in range(30)])
    with clean.app_context():
        db.session.execute(
            ClaimLine.__table__.update().values(sampled=True, audit_state="rejected", excluded=True, audit_note="No")
        )
        db.session.commit()
    later = _draft(clean, "2014-01", date(2014, 1, 31), [(f"F{i:03d}", CRIME, 700) for i in range(30)])
    finance = _client(clean, people["finance"])
    statements = []
    with clean.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        if "audit_state" in statement and "claim_windows" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = finance.get(f"/claims/{later}").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.count("data-rejected-before") == 30
    assert len(statements) == 1


# --- separation of duties ---------------------------------------------------------------------


def test_whoever_assembled_the_draft_does_not_check_its_lines(clean, people):
    admin = _client(clean, people["admin"])
    window_id = _draft(
        clean,
        "2013-07",
        date(2013, 7, 31),
        [("F001", CRIME, 700), ("F002", CRIME, 700)],
        assembled_by=people["admin"].id,
    )
    _sample(admin, window_id)
    line_url = f"/claims/{window_id}/lines/{_line_id(clean, window_id, 'F001')}"
    page = admin.get(line_url)
    assert "Verify the line" not in page.get_data(as_text=True)
    assert "You assembled the draft claim for 2013-07, so someone else must check its lines" in text(page)
    refused = _check(admin, clean, window_id, "F001")
    assert refused.status_code == 200 and "You assembled the draft claim" in error_summary(refused)
    assert audit_entries(clean, "claim_line.audit") == []
    # Another auditor may; and the command line, which acts as no one (cli.md), is not refused.
    assert _check(_client(clean, people["auditor"]), clean, window_id, "F001").status_code == 302
    result = clean.test_cli_runner().invoke(
        args=["claims", "verify", "2013-07", "F002", CRIME, "--note", "Records seen"]
    )
    assert result.exit_code == 0, result.output


def test_whoever_excluded_or_included_a_line_does_not_check_it(clean, people, draft):
    admin, finance = _client(clean, people["admin"]), _client(clean, people["finance"])
    line_url = f"/claims/{draft}/lines/{_line_id(clean, draft, 'F002')}"
    assert submit(admin, f"{line_url}/review", {"reason": "Looks duplicated"}, form_url=line_url).status_code == 302
    assert submit(admin, f"{line_url}/review", {"reason": "Not a duplicate"}, form_url=line_url).status_code == 302
    _sample(finance, draft)
    page = admin.get(line_url)
    assert "Verify the line" not in page.get_data(as_text=True)
    assert "You excluded or included F002's crime_asb_education in this draft" in text(page)
    refused = _check(admin, clean, draft, "F002")
    assert refused.status_code == 200 and "someone else must check this line" in error_summary(refused)
    # The admin checks the other lines, and is never sent to this one.
    done = _check(admin, clean, draft, "F001")
    assert done.headers["Location"] == f"/claims/{draft}/lines/{_line_id(clean, draft, 'F003', WORK)}"


# --- the auditor's flow ------------------------------------------------------------------------


def test_the_auditor_goes_from_each_check_to_the_next_sampled_line(clean, people, draft):
    finance, auditor = _client(clean, people["finance"]), _client(clean, people["auditor"])
    _sample(finance, draft)
    order = [("F001", CRIME), ("F002", CRIME), ("F003", WORK), ("F003", CRIME)]
    first = auditor.get(f"/claims/{draft}/lines/{_line_id(clean, draft, 'F001')}")
    assert 'data-family-link href="/families/F001"' in first.get_data(as_text=True)
    for (ref, outcome), following in zip(order, [*order[1:], None], strict=True):
        done = _check(auditor, clean, draft, ref, outcome=outcome, reject=ref == "F002", note="Checked")
        assert done.status_code == 302
        page = auditor.get(done.headers["Location"])
        if following:
            assert done.headers["Location"] == f"/claims/{draft}/lines/{_line_id(clean, draft, *following)}"
            assert "This is the next sampled line to check" in text(page)
        else:
            assert done.headers["Location"] == f"/claims/{draft}"
            assert "Every sampled line is checked" in text(page)
    entries = audit_entries(clean, "claim_line.audit")
    assert len(entries) == 4 and all(user_id == people["auditor"].id for *_, user_id in entries)


def test_the_line_page_links_to_the_family_page(clean, people, draft):
    finance = _client(clean, people["finance"])
    page = finance.get(f"/claims/{draft}/lines/{_line_id(clean, draft, 'F001')}").get_data(as_text=True)
    assert 'data-family-link href="/families/F001"' in page


def test_the_auditor_home_page_lists_the_samples_waiting(clean, people, draft):
    finance, auditor = _client(clean, people["finance"]), _client(clean, people["auditor"])
    assert "No claim's sample is waiting to be checked" in text(auditor.get("/"))
    _sample(finance, draft)
    other = _draft(clean, "2013-10", date(2013, 10, 31), [("F900", CRIME, 700)], assembled_by=people["finance"].id)
    _sample(finance, other)
    _check(auditor, clean, draft, "F001")
    home = auditor.get("/").get_data(as_text=True)
    waiting = re.findall(r'data-sample-waiting="([^"]+)"', home)
    assert waiting == ["2013-07", "2013-10"]
    assert "3 sampled lines still to check" in text(auditor.get("/"))
    assert f'href="/claims/{draft}/lines/{_line_id(clean, draft, "F002")}"' in home
    assert f'href="/claims/{other}/lines/{_line_id(clean, other, "F900")}"' in home
    for ref, outcome in (("F002", CRIME), ("F003", CRIME), ("F003", WORK)):
        _check(auditor, clean, draft, ref, outcome=outcome)
    assert re.findall(r'data-sample-waiting="([^"]+)"', auditor.get("/").get_data(as_text=True)) == ["2013-10"]
    # The other roles' home pages are as they were.
    assert "data-sample-waiting" not in finance.get("/").get_data(as_text=True)


def test_the_draft_is_not_assembled_again_over_internal_audit_s_checks(clean, make):
    """Assembling replaces the lines, and so their checks: refused once a line is checked, by
    the command line too, until the audit is started again."""
    _example_one(clean, "F001")
    with clean.app_context():
        window = operations.create_window("2013-07", date(2013, 7, 31), sample_percent=100)
        assert operations.start_assembly(window, queue=False).state == "succeeded"
        operations.draw_sample(window)
        line = operations.get_line(window, "F001", "crime_asb_education")
        operations.verify(window, line, "Police log seen")
        with pytest.raises(operations.ClaimRefused, match="assembling it again would undo their checks"):
            operations.start_assembly(window, queue=False)
    refused = clean.test_cli_runner().invoke(args=["claims", "assemble", "2013-07"])
    assert refused.exit_code == 1 and "would undo their checks" in refused.output
    with clean.app_context():
        window = operations.get_window("2013-07")
        operations.restart_audit(window, "Sample drawn before the corrections", make.user("auditor"))
        assert operations.start_assembly(window, queue=False).state == "succeeded"
