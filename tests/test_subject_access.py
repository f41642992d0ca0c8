"""Subject access: an administrator finds a person and exports everything held about them as
one file; the export is logged in the family's access log and the audit trail."""

import io
import json
import zipfile
from datetime import date

from sqlalchemy import select

from tests.case_work import audit_entries, error_summary, member, post, text
from tests.helpers import sign_in
from tff.cases.caf.models import Action, CafConsent, Screening, TafMeeting
from tff.cases.models import FamilyCriterion
from tff.cases.progress.models import CaseNote
from tff.cases.referrals.models import Provider, Referral
from tff.claims.models import ClaimBatch, ClaimEvidence, ClaimLine, ClaimWindow
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.extensions import db
from tff.outcomes.models import Evaluation
from tff.outcomes.verified.models import VerifiedOutcome
from tff.privacy.models import FamilyView

DAY = date(2013, 6, 1)


def _case(app, make):
    """A family with two members, Jade and her mother, and a record of every kind: some about
    Jade, some about her mother alone, some the whole family's."""
    family = make.family("F-SAR", status="attached", attached_on=date(2013, 1, 10), address="1 High Street")
    jade = member(app, family.id, "Jade", "Smith", date(2001, 3, 4), relationship="child", ref="P-JADE")
    mum = member(app, family.id, "Karen", "Smith", date(1980, 5, 6), relationship="mother", ref="P-MUM")
    other = make.family("F-OTHER")
    member(app, other.id, "Jade", "Smithers", date(2001, 3, 4), relationship="child", ref="P-OTHER")
    with app.app_context():
        provider = Provider(name="Parenting Plus", service_type="family_support")
        window = ClaimWindow(name="2013-07", as_of=date(2013, 7, 31))
        evaluation = Evaluation(as_of=date(2013, 7, 31))
        db.session.add_all([provider, window, evaluation])
        db.session.flush()
        batch = ClaimBatch(window_id=window.id)
        db.session.add(batch)
        db.session.flush()
        db.session.add_all(
            [
                AttendanceRecord(
                    member_id=jade, academic_year="2012/13", term="autumn", school="Oak", possible=100, unauthorised=20
                ),
                Event(member_id=jade, kind="asb", date=DAY, source="police", reference="ASB-77", detail="Shop"),
                Event(member_id=mum, kind="asb", date=DAY, source="police", reference="ASB-78", detail="Mum's"),
                Spell(member_id=jade, kind="exclusion", start_date=DAY, source="school", reference="EX-1"),
                CafConsent(family_id=family.id, given_on=DAY, given_by_member_id=mum, agencies=["police"]),
                Screening(
                    family_id=family.id,
                    kind="cse",
                    member_id=jade,
                    completed_on=DAY,
                    outcome="referral_made",
                    answers={"missing": "yes"},
                    outcome_note="Referred to the MASH",
                ),
                Screening(family_id=family.id, kind="substance", member_id=mum, completed_on=DAY, outcome="no_concern"),
                Screening(family_id=family.id, kind="substance", completed_on=DAY, outcome="no_concern"),
                CaseNote(family_id=family.id, contact_on=DAY, kind="visit", facts="Jade was at home"),
                CaseNote(family_id=family.id, contact_on=DAY, kind="phone", facts="Spoke to the school"),
                Action(family_id=family.id, description="Jade to school daily", agreed_on=DAY, due_on=DAY),
                TafMeeting(family_id=family.id, held_on=DAY, decisions="Meet again"),
                Referral(family_id=family.id, provider_id=provider.id, reason="Parenting", requested_on=DAY),
                FamilyCriterion(family_id=family.id, kind="national", code="education", source="confirmed"),
                VerifiedOutcome(
                    family_id=family.id,
                    member_id=jade,
                    code="school",
                    title="Back at school",
                    evidence_note="Register",
                    achieved_on=DAY,
                ),
                VerifiedOutcome(
                    family_id=family.id,
                    member_id=mum,
                    code="work",
                    title="Into work",
                    evidence_note="Payslip",
                    achieved_on=DAY,
                ),
                ClaimLine(
                    batch_id=batch.id,
                    family_id=family.id,
                    family_ref="F-SAR",
                    outcome="crime_asb_education",
                    attachment_year="2012/13",
                    amount=4000,
                    rule_set="phase1",
                ),
                ClaimEvidence(
                    evaluation_id=evaluation.id,
                    family_id=family.id,
                    evidence={
                        "version": 1,
                        "as_of": "2013-07-31",
                        "members": [
                            {"person_ref": "P-JADE", "date_of_birth": "2001-03-04"},
                            {"person_ref": "P-MUM", "date_of_birth": "1980-05-06"},
                        ],
                        "attendance": [],
                        "events": [
                            {
                                "person_ref": "P-JADE",
                                "kind": "asb",
                                "date": "2013-06-01",
                                "source": "police",
                                "reference": "ASB-77",
                            },
                            {
                                "person_ref": "P-MUM",
                                "kind": "asb",
                                "date": "2013-06-01",
                                "source": "police",
                                "reference": "ASB-78",
                            },
                        ],
                        "spells": [],
                    },
                ),
            ]
        )
        db.session.commit()
    return family


def _admin(client, make):
    admin = make.user("admin", name="Ada Admin")
    assert sign_in(client, admin.email).status_code == 302
    return admin


def _export(client, person_ref="P-JADE"):
    response = post(client, f"/privacy/subject-access/{person_ref}/export")
    assert response.status_code == 200, response.status_code
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return response, archive


def test_an_administrator_finds_a_person_by_name_and_date_of_birth_and_by_reference(client, clean, make):
    _case(clean, make)
    _admin(client, make)
    assert "Subject access" in text(client.get("/"))

    by_name = client.get("/privacy/subject-access?name=jade+smi")
    words = text(by_name)
    assert by_name.status_code == 200
    assert "Jade Smith" in words and "Jade Smithers" in words and "F-SAR" in words and "F-OTHER" in words

    narrowed = text(
        client.get("/privacy/subject-access", query_string={"name": "Smith", "date_of_birth": ["4", "3", "2001"]})
    )
    assert "P-JADE" in narrowed and "P-OTHER" in narrowed and "P-MUM" not in narrowed

    by_ref = text(client.get("/privacy/subject-access?person_ref=P-MUM"))
    assert "Karen Smith" in by_ref and "Jade" not in by_ref.split("People found")[1]

    nobody = text(client.get("/privacy/subject-access?name=Zebedee"))
    assert "Nobody matches" in nobody


def test_an_empty_or_spoilt_search_says_what_to_enter_beside_the_field(client, clean, make):
    _admin(client, make)
    empty = client.get("/privacy/subject-access?person_ref=&name=")
    assert empty.status_code == 400
    assert "Enter a person reference, or a name" in error_summary(empty)

    spoilt = client.get("/privacy/subject-access", query_string={"name": "x", "date_of_birth": ["31", "2", "2001"]})
    assert spoilt.status_code == 400
    assert "Date of birth must be a real date" in error_summary(spoilt)

    # the page with no search at all asks nothing yet
    assert client.get("/privacy/subject-access").status_code == 200


def test_the_person_s_page_counts_what_is_held(client, clean, make):
    _case(clean, make)
    _admin(client, make)
    page = client.get("/privacy/subject-access/P-JADE")
    words = text(page)
    assert page.status_code == 200
    assert "Jade Smith" in words and "F-SAR" in words
    assert "Events (offences, exclusions, ...) 1" in words
    assert "Screenings about them or the whole family 2" in words
    assert "Verified outcomes for them or the whole family 1" in words
    assert "Export everything held about this person" in words
    assert client.get("/privacy/subject-access/P-NOBODY").status_code == 404


def test_the_export_holds_everything_about_the_person_and_nothing_about_another_member_alone(client, clean, make):
    family = _case(clean, make)
    admin = _admin(client, make)
    response, archive = _export(client)

    assert response.headers["Content-Type"] == "application/zip"
    assert "subject-access-P-JADE.zip" in response.headers["Content-Disposition"]
    assert sorted(archive.namelist()) == ["README.txt", "person.json"]
    readme = archive.read("README.txt").decode()
    assert "Jade Smith" in readme and "P-JADE" in readme and "redact" in readme

    held = json.loads(archive.read("person.json"))
    assert held["person"]["person_ref"] == "P-JADE" and held["person"]["date_of_birth"] == "2001-03-04"
    assert held["family"]["reference"] == "F-SAR" and held["family"]["status"] == "Attached"
    assert held["family"]["attached_on"] == "2013-01-10"
    assert held["exported_by"] == "Ada Admin"

    evidence = held["evidence"]
    assert [(e["source"], e["reference"]) for e in evidence["events"]] == [("police", "ASB-77")]
    assert [s["reference"] for s in evidence["spells"]] == ["EX-1"]
    assert [a["unauthorised_absences"] for a in evidence["attendance"]] == [20]

    work = held["case_work"]
    # her CSE screening and the whole family's; her mother's own is hers to ask for
    assert sorted((s["screening"][:5], s["about"]) for s in work["screenings"]) == [
        ("Child", "this person"),
        ("Drug ", "the whole family"),
    ]
    assert work["consents"] == []  # her mother gave it
    notes = {n["facts"]: n for n in work["case_notes"]}
    assert set(notes) == {"Jade was at home", "Spoke to the school"}
    assert notes["Jade was at home"]["mentions_by_name"] and not notes["Spoke to the school"]["mentions_by_name"]
    assert all(n["about"] == "the whole family" for n in work["case_notes"])
    assert [a["description"] for a in work["actions"]] == ["Jade to school daily"]
    assert len(work["meetings"]) == 1 and work["referrals"][0]["provider"] == "Parenting Plus"

    claims = held["claims"]
    assert [(line["claim_window"], line["amount_pounds"]) for line in claims["claim_lines"]] == [("2013-07", 4000)]
    (frozen,) = claims["frozen_evidence"]
    assert frozen["members"] == [{"person_ref": "P-JADE", "date_of_birth": "2001-03-04"}]
    assert [e["reference"] for e in frozen["events"]] == ["ASB-77"]

    assert [(o["outcome"], o["about"]) for o in held["results"]] == [("Back at school", "this person")]
    assert [c["criterion"] for c in held["identification"]] == ["Poor school attendance or exclusions"]
    assert "P-MUM" not in json.dumps(held) and "Mum's" not in json.dumps(held)

    # logged: the family's access log and one audit entry naming the person
    with clean.app_context():
        views = db.session.execute(
            select(FamilyView.user_id, FamilyView.family_id, FamilyView.endpoint).where(
                FamilyView.endpoint == "subject_access.export"
            )
        ).all()
    assert views == [(admin.id, family.id, "subject_access.export")]
    ((summary, _, after, user_id),) = audit_entries(clean, "subject_access.export", "P-JADE")
    assert "P-JADE" in summary and user_id == admin.id and after["family"] == "F-SAR"


def test_a_person_with_nothing_but_their_details_exports_cleanly(client, clean, make):
    family = make.family("F-BARE")
    member(clean, family.id, "Bo", "Bare", date(1990, 1, 1), ref="P-BARE")
    _admin(client, make)
    _, archive = _export(client, "P-BARE")
    held = json.loads(archive.read("person.json"))
    assert held["person"]["first_name"] == "Bo" and held["claims"] == {"claim_lines": [], "frozen_evidence": []}
    assert held["results"] == [] and held["evidence"] == {"attendance": [], "events": [], "spells": []}


def test_only_administrators_may_find_or_export_a_person(client, clean, make):
    _case(clean, make)
    for role in ("coordinator", "lead_worker", "finance", "manager", "auditor"):
        client = clean.test_client()
        assert sign_in(client, make.user(role).email).status_code == 302
        assert client.get("/privacy/subject-access?name=Jade").status_code == 403
        assert client.get("/privacy/subject-access/P-JADE").status_code == 403
        assert post(client, "/privacy/subject-access/P-JADE/export").status_code == 403
    assert audit_entries(clean, "subject_access.export") == []


def test_an_export_without_a_token_is_refused_and_not_logged(client, clean, make):
    _case(clean, make)
    _admin(client, make)
    assert client.post("/privacy/subject-access/P-JADE/export").status_code == 400
    assert audit_entries(clean, "subject_access.export") == []
