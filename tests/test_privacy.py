"""Data protection: the log of who viewed which family, and the retention of closed families'
personal data."""

import csv
import io
import itertools
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import Maker, sign_in, submit
from tff.audit.models import AuditEntry
from tff.audit.operations import record
from tff.cases.models import Family, Member
from tff.cases.progress.models import CaseNote
from tff.cases.referrals.models import Provider, Referral
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimLine, ClaimWindow
from tff.evidence.models import Event
from tff.extensions import db
from tff.jobs.models import SUCCEEDED, Job
from tff.outcomes.verified.models import VerifiedOutcome
from tff.privacy import retention
from tff.privacy.models import FamilyView

_people = itertools.count(1)


def _signed_in(app, role):
    client = app.test_client()
    user = Maker(app).user(role, email=f"{role.replace('_', '-')}.{next(_people)}@example.org")
    sign_in(client, user.email)
    return client, user


def _views(app, **where):
    with app.app_context():
        query = select(FamilyView.user_id, FamilyView.family_id, FamilyView.endpoint).order_by(FamilyView.id)
        for name, value in where.items():
            query = query.where(getattr(FamilyView, name) == value)
        return db.session.execute(query).all()


# --- the access log ---------------------------------------------------------------------------


def test_each_page_of_a_family_is_logged_and_a_refused_view_is_not(clean, make):
    worker, worker_user = _signed_in(clean, "lead_worker")
    mine = make.family("F001", lead_worker_id=worker_user.id)
    other = make.family("F002", lead_worker_id=make.user("lead_worker").id)

    assert worker.get("/families/F001").status_code == 200
    assert worker.get("/families/F001/notes").status_code == 200
    assert worker.get("/families/F002").status_code == 404
    assert worker.get("/families/F002/notes").status_code == 404
    assert worker.get("/families/NOPE").status_code == 404

    assert _views(clean) == [
        (worker_user.id, mine.id, "cases.show"),
        (worker_user.id, mine.id, "progress.notes"),
    ]
    assert _views(clean, family_id=other.id) == []


def test_a_download_of_many_families_data_is_logged(clean, make):
    with clean.app_context():
        from tff.privacy import operations

        assert "claims.lines_csv" in operations.FAMILY_DATA_DOWNLOADS
    finance, finance_user = _signed_in(clean, "finance")
    batch = _batch(clean, "2013-07", [])
    assert finance.get(f"/claims/{batch['window_id']}/lines.csv").status_code == 200
    assert _views(clean) == [(finance_user.id, None, "claims.lines_csv")]


def _log(app, rows):
    """Write log rows directly: (user id, family id, endpoint, when)."""
    with app.app_context():
        db.session.add_all(FamilyView(user_id=u, family_id=f, endpoint=e, viewed_at=at) for u, f, e, at in rows)
        db.session.commit()


def test_the_log_page_filters_pages_and_exports(clean, make):
    auditor, _ = _signed_in(clean, "auditor")
    ann = make.user("lead_worker", email="ann@example.org", name="Ann Worker")
    bob = make.user("coordinator", email="bob@example.org", name="Bob Coordinator")
    f1 = make.family("F001")
    formula = make.family("=HYPERLINK(1)")
    _log(
        clean,
        [
            (ann.id, f1.id, "cases.show", datetime(2024, 3, 1, 10)),
            (bob.id, f1.id, "caf.index", datetime(2024, 3, 5, 10)),
            (bob.id, formula.id, "cases.show", datetime(2024, 4, 1, 10)),
        ],
    )

    # The family page links auditors to its log; a lead worker sees no such link.
    family_page = auditor.get("/families/F001").get_data(as_text=True)
    assert 'href="/privacy/family-views?family=F001"' in family_page
    page = auditor.get("/privacy/family-views?family=F001").get_data(as_text=True)
    # newest first: Bob's CAF view, Bob's own view just now of the family page, then Ann's
    assert page.count('<tr class="govuk-table__row">') == 1 + 3
    assert page.index("caf.index") < page.index("ann@example.org")
    assert "=HYPERLINK(1)" not in page

    # a download of many families' data is not any one family's view
    _log(clean, [(ann.id, None, "claims.lines_csv", datetime(2024, 2, 20, 10))])
    assert "No views match" in auditor.get("/privacy/family-views?family=F999").get_data(as_text=True)
    assert "claims.lines_csv" not in auditor.get("/privacy/family-views?family=F001").get_data(as_text=True)
    page = auditor.get("/privacy/family-views?user=ANN@").get_data(as_text=True)
    assert "Many families (a download)" in page
    assert "ann@example.org" in page and "bob@example.org" not in page

    dated = "date_from=2&date_from=3&date_from=2024&date_to=31&date_to=3&date_to=2024"
    page = auditor.get(f"/privacy/family-views?{dated}").get_data(as_text=True)
    assert "caf.index" in page and "ann@example.org" not in page and "=HYPERLINK(1)" not in page

    bad = auditor.get("/privacy/family-views?date_from=1&date_from=5&date_from=2024&date_to=1&date_to=4&date_to=2024")
    assert bad.status_code == 400 and "To must be the same as or after From" in bad.get_data(as_text=True)

    # The export holds the filtered rows, a formula made plain text.
    export = auditor.get("/privacy/family-views.csv?user=bob")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0] == ["Viewed at (UTC)", "User", "Email", "Family", "Page", "Broke the glass to open", "Reason"]
    assert [r[3] for r in rows[1:]] == ["'=HYPERLINK(1)", "F001"]
    assert rows[1][0] == "2024-04-01 10:00:00"


def test_the_log_pages_back_to_the_oldest(clean, make):
    auditor, _ = _signed_in(clean, "auditor")
    worker = make.user("lead_worker")
    family = make.family("F001")
    start = datetime(2024, 1, 1, 9)
    # 60 views, two at each moment: paging must neither skip nor repeat one at a tie
    _log(clean, [(worker.id, family.id, f"page.{n:02d}", start + timedelta(minutes=n // 2)) for n in range(60)])
    first = auditor.get("/privacy/family-views").get_data(as_text=True)
    assert first.count("page.") == 50 and "Older views" in first
    older = first.split("govuk-pagination__next")[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    second = auditor.get(older).get_data(as_text=True)
    assert second.count("page.") == 10 and "Older views" not in second
    shown = {f"page.{n:02d}" for n in range(60) if f"page.{n:02d}<" in first + second}
    assert len(shown) == 60


@pytest.mark.parametrize("role", ["coordinator", "lead_worker", "finance", "manager"])
def test_only_auditors_and_administrators_read_the_log(clean, make, role):
    client, _ = _signed_in(clean, role)
    family = make.family("F001")
    assert client.get("/privacy/family-views").status_code == 403
    assert client.get("/privacy/family-views.csv").status_code == 403
    if role != "lead_worker":
        assert "Who has viewed this family" not in client.get(f"/families/{family.reference}").get_data(as_text=True)
    admin, _ = _signed_in(clean, "admin")
    assert admin.get("/privacy/family-views").status_code == 200
    assert "Who has viewed this family" in admin.get("/families/F001").get_data(as_text=True)


# --- retention ------------------------------------------------------------------------------------

TODAY = date.today()


def _years_ago(years: int, days: int = 0) -> date:
    return retention.cutoff(TODAY, years) + timedelta(days=days)


def _family_with_data(app, reference: str, closed_on: date | None, n: int) -> int:
    """A family with a member, a note, a referral, an event, a verified outcome and case audit entries."""
    with app.app_context():
        family = Family(
            reference=reference,
            programme="phase1",
            status="closed" if closed_on else "attached",
            attached_on=date(2013, 1, 10),
            closed_on=closed_on,
            closure_reason="outcomes_achieved" if closed_on else None,
            address="1 High Street\nRotherham",
            postcode="S60 1AA",
        )
        db.session.add(family)
        db.session.flush()
        member = Member(
            family_id=family.id,
            person_ref=f"P{n}",
            first_name="Jane",
            last_name="Smith",
            date_of_birth=date(2001, 6, 15),
            upn=f"A{n:012d}",
            nino=f"QQ{n:06d}C",
        )
        db.session.add(member)
        db.session.flush()
        provider = db.session.scalar(select(Provider)) or Provider(name="YWCA", service_type="family_support")
        db.session.add(provider)
        db.session.flush()
        db.session.add_all(
            [
                CaseNote(
                    family_id=family.id,
                    contact_on=date(2013, 2, 1),
                    kind="visit",
                    facts="Jane was at home",
                    opinion="Worried",
                ),
                Referral(
                    family_id=family.id,
                    provider_id=provider.id,
                    reason="Jane needs support",
                    requested_on=date(2013, 2, 2),
                ),
                Event(member_id=member.id, kind="offence", date=date(2013, 3, 1), detail="Shoplifting at Tesco"),
                VerifiedOutcome(
                    family_id=family.id,
                    code="work",
                    title="Into work",
                    evidence_note="Payslip seen",
                    achieved_on=date(2013, 5, 1),
                ),
            ]
        )
        record(
            "family.identify", "family", reference, f"Identified family {reference}", after={"address": family.address}
        )
        record("member.add", "member", member.person_ref, "Added Jane Smith", after={"first_name": "Jane"})
        db.session.commit()
        return family.id


def _batch(app, name: str, lines: list[tuple[int, str]], submitted: bool = False) -> dict:
    """A claim window whose batch has a line per (family id, reference), submitted or not, and its audit entry."""
    with app.app_context():
        window = ClaimWindow(name=name, as_of=date(2013, 7, 31))
        db.session.add(window)
        db.session.flush()
        batch = ClaimBatch(window_id=window.id)
        db.session.add(batch)
        db.session.flush()
        for family_id, reference in lines:
            db.session.add(
                ClaimLine(
                    batch_id=batch.id,
                    family_id=family_id,
                    family_ref=reference,
                    outcome="crime_asb_education",
                    attachment_year="2012/13",
                    amount=700,
                    rule_set="phase1",
                )
            )
        record(
            "claim_batch.submit",
            "claim_batch",
            batch.id,
            f"Submitted the claim for {name}",
            after={"lines": len(lines)},
        )
        db.session.commit()
        if submitted:
            batch.state = SUBMITTED
            db.session.commit()
        return {"window_id": window.id, "batch_id": batch.id}


def _snapshot(app, family_id: int) -> dict:
    with app.app_context():
        family = db.session.get(Family, family_id)
        member = db.session.scalar(select(Member).where(Member.family_id == family_id))
        audit = db.session.execute(
            select(AuditEntry.action, AuditEntry.summary, AuditEntry.after)
            .where(AuditEntry.object_type.in_(["family", "member"]))
            .where(AuditEntry.object_id.in_([family.reference, member.person_ref]))
            .order_by(AuditEntry.id)
        ).all()
        return {
            "reference": family.reference,
            "programme": family.programme,
            "attached_on": family.attached_on,
            "address": family.address,
            "postcode": family.postcode,
            "anonymised": family.anonymised_at is not None,
            "member": (
                member.first_name,
                member.last_name,
                member.date_of_birth,
                member.upn,
                member.nino,
                member.person_ref,
            ),
            "note": db.session.scalar(select(CaseNote.facts).where(CaseNote.family_id == family_id)),
            "referral": db.session.scalar(select(Referral.reason).where(Referral.family_id == family_id)),
            "event": db.session.scalar(select(Event.detail).where(Event.member_id == member.id)),
            "verified": db.session.scalar(
                select(VerifiedOutcome.evidence_note).where(VerifiedOutcome.family_id == family_id)
            ),
            "audit": [tuple(row) for row in audit],
        }


def _claims(app):
    with app.app_context():
        lines = db.session.execute(
            select(ClaimLine.family_id, ClaimLine.family_ref, ClaimLine.outcome, ClaimLine.amount).order_by(
                ClaimLine.id
            )
        ).all()
        audit = db.session.execute(
            select(AuditEntry.summary, AuditEntry.after).where(AuditEntry.object_type == "claim_batch")
        ).all()
        return [tuple(r) for r in lines], [tuple(r) for r in audit]


@pytest.fixture
def in_process(monkeypatch):
    """No worker here: the job runs in the request, as the command line runs it."""
    real = retention.start_retention

    def run_here(user=None, **kwargs):
        job = real(user, queue=False)
        assert job.state == SUCCEEDED, job.message
        return job

    monkeypatch.setattr(retention, "start_retention", run_here)


def test_retention_removes_exactly_the_long_closed_families_data(clean, in_process):
    app = clean
    due = _family_with_data(app, "F-OLD", _years_ago(6, days=-1), 1)
    just_in = _family_with_data(app, "F-EDGE", _years_ago(6), 2)
    recent = _family_with_data(app, "F-RECENT", _years_ago(2), 3)
    still_open = _family_with_data(app, "F-OPEN", None, 4)
    in_draft = _family_with_data(app, "F-DRAFT", _years_ago(8), 5)
    claimed = _family_with_data(app, "F-CLAIMED", _years_ago(9), 6)
    _batch(app, "2013-07", [(claimed, "F-CLAIMED"), (due, "F-OLD")], submitted=True)
    _batch(app, "2014-01", [(in_draft, "F-DRAFT")])
    claims_before = _claims(app)
    untouched = {f: _snapshot(app, f) for f in (just_in, recent, still_open, in_draft)}

    admin, admin_user = _signed_in(app, "admin")
    page = admin.get("/privacy/retention").get_data(as_text=True)
    assert "2 families closed before" in page
    assert "1 family is also due but in a claim that has not been submitted yet" in page
    assert "Remove the personal data now" in page

    response = submit(admin, "/privacy/retention/run", {}, form_url="/privacy/retention")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Removed the personal data of 2 families" in job_page
    assert "1 more wait until the claims they are in are submitted" in job_page

    for family_id, reference in ((due, "F-OLD"), (claimed, "F-CLAIMED")):
        after = _snapshot(app, family_id)
        assert after["reference"] == reference and after["programme"] == "phase1"
        assert after["attached_on"] == date(2013, 1, 10) and after["anonymised"]
        assert after["address"] is None and after["postcode"] is None
        assert after["member"] == (retention.MARKER, "", date(2001, 1, 1), None, None, after["member"][5])
        for text in ("note", "referral", "event", "verified"):
            assert after[text] == retention.MARKER
        # the case's audit entries keep what was done, not the personal data; one entry says why it went
        assert [a[0] for a in after["audit"]] == ["family.identify", "member.add", "family.anonymise"]
        assert all(a[1] == retention.MARKER and a[2] is None for a in after["audit"][:2])
        assert after["audit"][2][1].startswith(f"Removed the personal data of family {reference}, closed on ")
        assert after["audit"][2][2]["retention_years"] == 6
        with app.app_context():
            entry = db.session.scalar(
                select(AuditEntry).where(AuditEntry.action == "family.anonymise", AuditEntry.object_id == reference)
            )
            assert entry.user_id == admin_user.id
    for family_id, before in untouched.items():
        assert _snapshot(app, family_id) == before
    assert _claims(app) == claims_before

    # The page now has nobody to remove; the anonymised family's page shows the marker, not the data.
    page = admin.get("/privacy/retention").get_data(as_text=True)
    assert "0 families closed before" in page and "Remove the personal data now" not in page
    assert "1 family is also due but in a claim that has not been submitted yet" in page
    assert "Jane" not in admin.get("/families/F-OLD").get_data(as_text=True)

    # Running again changes nothing.
    snapshots = {f: _snapshot(app, f) for f in (due, claimed, just_in, recent, still_open, in_draft)}
    with app.app_context():
        entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
        again = retention.start_retention()
        assert again.result["families_anonymised"] == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries
    assert {f: _snapshot(app, f) for f in snapshots} == snapshots


def test_the_command_counts_without_changing_then_runs(clean):
    app = clean
    due = _family_with_data(app, "F-OLD", _years_ago(7), 1)
    runner = app.test_cli_runner()
    before = _snapshot(app, due)
    result = runner.invoke(args=["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0 and "1 families closed before" in result.output
    assert _snapshot(app, due) == before
    result = runner.invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert "Removed the personal data of 1 families" in result.output
    assert _snapshot(app, due)["member"][0] == retention.MARKER
    with app.app_context():
        job = db.session.scalar(select(Job).order_by(Job.id.desc()))
        assert job.state == SUCCEEDED and job.started_by_id is None


def test_the_retention_period_is_validated_and_audited(clean, make):
    app = clean
    _family_with_data(app, "F-7", _years_ago(7, days=-1), 1)
    admin, admin_user = _signed_in(app, "admin")
    page = admin.get("/privacy/retention").get_data(as_text=True)
    assert 'value="6"' in page and "Limitation Act 1980" in page and "1 family closed before" in page

    for bad, message in (
        ("", "Enter the number of years to keep a closed family&#39;s personal data, like 6"),
        ("six", "Enter a whole number of years from 1 to 25, like 6"),
        ("0", "Enter a whole number of years from 1 to 25, like 6"),
        ("99", "Enter a whole number of years from 1 to 25, like 6"),
    ):
        response = submit(admin, "/privacy/retention", {"years": bad})
        assert response.status_code == 400, bad
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "privacy.retention_period")) == 0

    response = submit(admin, "/privacy/retention", {"years": "8"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "kept for 8 years after closure" in page and 'value="8"' in page
    assert "0 families closed before" in page  # closed 7 years ago: kept now
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.retention_period"))
        assert (entry.user_id, entry.before, entry.after) == (admin_user.id, {"years": 6}, {"years": 8})

    auditor, _ = _signed_in(app, "auditor")
    assert auditor.get("/privacy/retention").status_code == 403
    assert submit(auditor, "/privacy/retention/run", {}, form_url="/").status_code == 403
