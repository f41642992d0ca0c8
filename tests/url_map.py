"""The app's URL map, walked with real values: a world with one of every record an address can
name, each rule's address built from it, and the roles that may use each rule. Shared by the
tests that go over every page (security, hostile values)."""

from datetime import date
from types import SimpleNamespace

from tests.helpers import sign_in
from tests.imports_support import families_csv, family, run_import
from tff.extensions import db

#: endpoints a visitor may use without signing in
PUBLIC = {"auth.login", "static", "pages.govuk_assets"}
#: methods a view may answer, other than the ones Flask adds itself
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def build_world(app, make) -> SimpleNamespace:
    """Users of every role; a family led by `owner` with one of every record a family has;
    a family led by `intruder`; and one of each programme-wide thing a URL can name."""
    from tff.cases.caf.models import (
        Action,
        Assessment,
        CafConsent,
        CaseReview,
        Priority,
        Screening,
        TafMeeting,
    )
    from tff.cases.models import FamilyCriterion, Member, TafMember, Team
    from tff.cases.progress.models import CaseNote
    from tff.cases.referrals.models import Provider, Referral
    from tff.claims.models import ClaimBatch, ClaimLine, ClaimWindow
    from tff.claims.spot_checks.models import SpotCheck, SpotCheckFamily
    from tff.evidence.models import Event, Spell, UnmatchedRow
    from tff.funding.spending import SpendingLine
    from tff.outcomes.models import Evaluation
    from tff.outcomes.plan_versions.operations import store_shipped
    from tff.outcomes.verified.models import VerifiedOutcome

    users = {role: make.user(role) for role in ("coordinator", "finance", "manager", "auditor", "admin")}
    owner, intruder = make.user("lead_worker"), make.user("lead_worker")
    theirs = make.family("F-OWNED", lead_worker_id=owner.id, status="attached", attached_on=date(2013, 1, 10))
    mine = make.family("F-MINE", lead_worker_id=intruder.id, status="attached", attached_on=date(2013, 1, 10))
    bad_import = run_import(
        app, "families", families_csv(family("F-REJECTED", programme="?")), user_id=users["admin"].id
    )
    day = date(2013, 6, 1)
    with app.app_context():
        from tff.auth.models import User

        fid = theirs.id
        member = Member(
            family_id=fid, person_ref="P-OWNED", first_name="Ann", last_name="Owned", date_of_birth=date(2001, 1, 1)
        )
        provider = Provider(name="Parenting Plus", service_type="family_support")
        team = Team(name="North")
        db.session.add_all([member, provider, team])
        db.session.flush()
        action = Action(family_id=fid, description="Get to school", agreed_on=day, due_on=day)
        records = {
            "consent_id": CafConsent(family_id=fid, given_on=day, given_by_name="Ann Owned"),
            "screening_id": Screening(family_id=fid, kind="substance", completed_on=day, outcome="no_concern"),
            "note_id": CaseNote(family_id=fid, contact_on=day, kind="visit", facts="Visited at home"),
            "action_id": action,
            "referral_id": Referral(family_id=fid, provider_id=provider.id, reason="Support", requested_on=day),
            "event_id": Event(member_id=member.id, kind="asb", date=day, source="police", detail=""),
            "spell_id": Spell(member_id=member.id, kind="exclusion", start_date=day),
            "outcome_id": VerifiedOutcome(
                family_id=fid, code="work", title="Into work", evidence_note="Payslip", achieved_on=day
            ),
            "taf_id": TafMember(family_id=fid, name="Sam Social", joined_on=day),
        }
        db.session.add_all(records.values())
        db.session.add_all(
            [
                Assessment(family_id=fid, assessed_on=day, summary="Assessed"),
                Priority(family_id=fid, whose="family", position=1, text="Keep the house"),
                TafMeeting(family_id=fid, held_on=day, decisions="Meet again"),
                CaseReview(family_id=fid, reviewed_on=day, summary="Going well"),
                FamilyCriterion(family_id=fid, kind="national", code="education", source="confirmed"),
            ]
        )
        window = ClaimWindow(name="2013-07", as_of=date(2013, 7, 31))
        evaluation = Evaluation(as_of=date(2013, 7, 31))
        db.session.add_all([window, evaluation])
        db.session.flush()
        batch = ClaimBatch(window_id=window.id)
        db.session.add(batch)
        db.session.flush()
        line = ClaimLine(
            batch_id=batch.id,
            family_id=fid,
            family_ref=theirs.reference,
            outcome="crime_asb_education",
            attachment_year="2012/13",
            amount=700,
            rule_set="phase1",
        )
        row = UnmatchedRow(run_id=bad_import.id, kind="events", line=2, row={}, fingerprint="x" * 64, why="none")
        spending = SpendingLine(
            name="Staffing", financial_year="2013/14", amount=1000, pays_for="team", team_id=team.id
        )
        check = SpotCheck(window_id=window.id, selected_on=date(2013, 9, 2))
        db.session.add_all([line, row, spending, check])
        db.session.flush()
        entry = SpotCheckFamily(spot_check_id=check.id, family_id=fid, family_ref=theirs.reference)
        db.session.add(entry)
        from tff.cases.signoff.models import SignOff

        sign_off = SignOff(family_id=fid, kind="closure", on=day, closure_reason="other", proposed_by_id=owner.id)
        db.session.add(sign_off)
        db.session.flush()
        version = store_shipped(db.session.get(User, users["manager"].id))[0]
        db.session.commit()
        ids = {name: record.id for name, record in records.items()}
        from tff.imports.models import ImportRun

        job_id = db.session.get(ImportRun, bad_import.id).job_id
        values = {
            **ids,
            "reference": theirs.reference,
            "person_ref": member.person_ref,
            "person_member_id": member.id,
            "provider_id": provider.id,
            "team_id": team.id,
            "user_id": owner.id,
            "window_id": window.id,
            "line_id": line.id,
            "evaluation_id": evaluation.id,
            "version_id": version.id,
            "run_id": bad_import.id,
            "job_id": job_id,
            "row_id": row.id,
            "spending_id": spending.id,
            "check_id": check.id,
            "entry_id": entry.id,
            "sign_off_id": sign_off.id,
            "section": "case_work",
            "first_year": 2013,
            "fmt": "yaml",
            "name": "years",
            "step": "accept",
            "decision": "approve",
            "kind": "national",
            "code": "education",
            "filename": "govuk-frontend.min.css",
        }
    return SimpleNamespace(users=users, owner=owner, intruder=intruder, theirs=theirs, mine=mine, values=values)


def url_for_rule(rule, values: dict, **overrides) -> str:
    values = {**values, **overrides}
    if rule.endpoint == "caf.new_screening":
        values["kind"] = "substance"
    return rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]


def methods_of(rule) -> list[str]:
    return [m for m in METHODS if m in rule.methods]


def rules_of(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC]


def roles_of(app, rule) -> frozenset:
    return app.view_functions[rule.endpoint].allowed_roles


def signed_in_client(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client
