"""A coordinator takes a family from identification to closure; members, lead workers,
criteria and the Team Around the Family along the way."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.case_work import record_criteria, sign_in_as
from tests.helpers import sign_in, submit
from tff.audit.models import AuditEntry
from tff.cases.models import Family, FamilyStatusChange, LeadWorkerAssignment, Member, TafMember, Team
from tff.cases.signoff.models import SignOff
from tff.extensions import db


def _date(prefix: str, day: date) -> dict:
    # A GOV.UK date input sends three values under one name.
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def _family(app, reference):
    with app.app_context():
        family = db.session.scalar(select(Family).where(Family.reference == reference))
        db.session.expunge_all()
        return family


def _audit(app, action):
    with app.app_context():
        return [(e.before, e.after) for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


@pytest.fixture
def coordinator(client, make):
    user = make.user("coordinator")
    sign_in(client, user.email)
    return user


def _identify(client, reference="F900001", programme="phase1", day=date(2013, 5, 1), **extra):
    data = {"reference": reference, "programme": programme, **_date("identified_on", day), **extra}
    return submit(client, "/families/new", data)


def test_identify_attach_close_and_reopen(client, coordinator, app, make):
    response = _identify(client, postcode="s60 1aa", address="1 High Street\nRotherham")
    assert response.headers["Location"] == "/families/F900001"
    page = client.get("/families/F900001").get_data(as_text=True)
    assert "Identified" in page and "S60 1AA" in page and "1 High Street<br>Rotherham" in page

    response = submit(client, "/families/F900001/attach", _date("attached_on", date(2013, 4, 1)))
    assert "The attachment date must be on or after the date the family was identified" in response.get_data(
        as_text=True
    )
    assert _family(app, "F900001").status == "identified"

    record_criteria(client, "F900001", "national", ["education", "crime_asb", "work"])
    submit(client, "/families/F900001/attach", _date("attached_on", date(2013, 6, 3)))
    family = _family(app, "F900001")
    assert (family.status, family.attached_on) == ("attached", date(2013, 6, 3))
    assert _audit(app, "family.attach") == [
        ({"status": "identified", "attached_on": None}, {"status": "attached", "attached_on": "2013-06-03"})
    ]

    response = submit(client, "/families/F900001/close", _date("closed_on", date(2014, 7, 1)))
    assert "Choose why the case is closing" in response.get_data(as_text=True)
    submit(client, "/families/F900001/close", {**_date("closed_on", date(2014, 7, 1)), "reason": "outcomes_achieved"})
    # closing waits for a manager's sign-off (tests/test_sign_off.py)
    assert _family(app, "F900001").status == "attached"
    with app.app_context():
        sign_off_id = db.session.scalar(select(SignOff.id))
    sign_in_as(client, make.user("manager"))
    submit(client, f"/families/F900001/sign-offs/{sign_off_id}/approve", {})
    sign_in_as(client, coordinator)
    family = _family(app, "F900001")
    assert (family.status, family.closed_on, family.closure_reason) == ("closed", date(2014, 7, 1), "outcomes_achieved")
    assert "Outcomes achieved" in client.get("/families/F900001").get_data(as_text=True)

    submit(
        client,
        "/families/F900001/reopen",
        {**_date("reopened_on", date(2014, 9, 1)), "reason": "New concerns from school"},
    )
    family = _family(app, "F900001")
    assert (family.status, family.closed_on, family.attached_on) == ("attached", None, date(2013, 6, 3))
    with app.app_context():
        steps = db.session.execute(
            select(FamilyStatusChange.to_status, FamilyStatusChange.effective_on).order_by(FamilyStatusChange.id)
        ).all()
    assert [tuple(s) for s in steps] == [
        ("identified", date(2013, 5, 1)),
        ("attached", date(2013, 6, 3)),
        ("closed", date(2014, 7, 1)),
        ("attached", date(2014, 9, 1)),
    ]


def test_identifying_says_what_is_wrong(client, coordinator, make):
    make.family("F900002")
    page = _identify(client, reference="F900002", postcode="NOT A PC").get_data(as_text=True)
    assert "There is already a family with the reference F900002" in page
    assert "Postcode NOT APC is not a UK postcode" in page
    page = submit(
        client, "/families/new", {"reference": "F9", "programme": "phase1", "identified_on": ["31", "2", "2013"]}
    ).get_data(as_text=True)
    assert "Date identified must be a real date" in page
    future = date.today() + timedelta(days=3)
    assert "must be today or in the past" in _identify(client, reference="F9", day=future).get_data(as_text=True)


def test_members_are_added_and_checked(client, coordinator, make, app):
    make.family("F900003")
    data = {
        "person_ref": "F900003-01",
        "first_name": "Amy",
        "last_name": "O'Neill",
        **_date("date_of_birth", date(1985, 2, 1)),
    }
    response = submit(
        client, "/families/F900003/members/new", {**data, "nino": "qq 12 34 56 c", "relationship": "mother"}
    )
    assert response.status_code == 302
    with app.app_context():
        amy = db.session.scalar(select(Member).where(Member.person_ref == "F900003-01"))
        assert (amy.nino, amy.first_key, amy.last_key) == ("QQ123456C", "amy", "oneill")
    child = {
        "person_ref": "F900003-02",
        "first_name": "Kai",
        "last_name": "O'Neill",
        **_date("date_of_birth", date(2005, 3, 4)),
    }
    page = submit(client, "/families/F900003/members/new", {**child, "upn": "12345", "nino": "QQ123456C"}).get_data(
        as_text=True
    )
    assert "UPN 12345 is not a letter followed by 12 digits" in page
    assert "The National Insurance number QQ123456C belongs to F900003-01 already" in page
    assert submit(client, "/families/F900003/members/new", {**child, "upn": "a123456789012"}).status_code == 302
    page = client.get("/families/F900003").get_data(as_text=True)
    assert "UPN A123456789012" in page and "Kai O&#39;Neill" in page
    response = submit(
        client, "/families/F900003/members/F900003-02", {**child, "first_name": "Kaiden", "upn": "A123456789012"}
    )
    assert response.status_code == 302
    [(before, after)] = _audit(app, "member.update")
    assert (before, after) == ({"first_name": "Kai"}, {"first_name": "Kaiden"})


def test_lead_worker_assignment_keeps_history_and_warns_over_the_limit(client, coordinator, make, app):
    family = make.family("F900004", status="identified")
    worker = make.user("lead_worker", name="Lee Worker")
    other = make.user("lead_worker", name="Olu Other")
    with app.app_context():
        team = Team(name="Family Recovery Programme", max_open_cases=45, max_per_worker=1)
        db.session.add(team)
        db.session.flush()
        for user_id in (worker.id, other.id):
            db.session.get(__import__("tff.auth.models", fromlist=["User"]).User, user_id).team_id = team.id
        db.session.commit()
    make.family("F900005", lead_worker_id=worker.id)  # Lee already holds one: the most for this team

    page = submit(client, "/families/F900004/lead-worker", {"lead_worker": worker.id}).get_data(as_text=True)
    assert "Lee Worker already holds 1 open cases; the most they should hold is 1" in page
    assert _family(app, "F900004").lead_worker_id is None
    submit(client, "/families/F900004/lead-worker", {"lead_worker": worker.id, "confirm_over_limit": "y"})
    assert _family(app, "F900004").lead_worker_id == worker.id
    submit(client, "/families/F900004/lead-worker", {"lead_worker": other.id, "reason": "Lee is leaving"})
    with app.app_context():
        history = db.session.execute(
            select(LeadWorkerAssignment.user_id, LeadWorkerAssignment.ended_on)
            .where(LeadWorkerAssignment.family_id == family.id)
            .order_by(LeadWorkerAssignment.id)
        ).all()
    assert [(u, e is not None) for u, e in history] == [(worker.id, True), (other.id, False)]
    caseloads = client.get("/families/caseloads").get_data(as_text=True)
    assert "Family Recovery Programme" in caseloads and "Over the limit" not in caseloads.split("Lead workers")[0]


def test_lead_worker_sees_their_family_and_taf_membership_opens_one(client, make, app):
    coordinator = make.user("coordinator")
    worker = make.user("lead_worker")
    mine = make.family("F900006", lead_worker_id=worker.id)
    theirs = make.family("F900007")
    worker_client = app.test_client()
    sign_in(worker_client, worker.email)
    assert worker_client.get(f"/families/{mine.reference}").status_code == 200
    assert worker_client.get(f"/families/{theirs.reference}").status_code == 404
    assert theirs.reference not in worker_client.get("/families/?q=F9000").get_data(as_text=True)

    sign_in(client, coordinator.email)
    submit(
        client,
        f"/families/{theirs.reference}/team",
        {"user": worker.id, "agency": "School", "role": "Attendance officer"},
    )
    assert worker_client.get(f"/families/{theirs.reference}").status_code == 200
    assert theirs.reference in worker_client.get("/families/?q=F9000").get_data(as_text=True)
    with app.app_context():
        taf_id = db.session.scalar(select(TafMember.id).where(TafMember.family_id == theirs.id))
    submit(client, f"/families/{theirs.reference}/team/{taf_id}/leave", {}, form_url=f"/families/{theirs.reference}")
    assert worker_client.get(f"/families/{theirs.reference}").status_code == 404


def test_criteria_confirmed_and_the_worklist(client, coordinator, make, app):
    make.family("F900008", programme="phase1", identified_on=date(2013, 1, 1))
    make.family("F900009", programme="phase1", identified_on=date(2013, 1, 1))
    record_criteria(client, "F900008", "national", ["education", "crime_asb", "work"])
    record_criteria(client, "F900009", "national", ["education"])
    worklist = client.get("/identification/").get_data(as_text=True)
    assert 'href="/families/F900008"' in worklist and 'href="/families/F900009"' not in worklist
    assert "Recorded by a person" in client.get("/families/F900008").get_data(as_text=True)
    submit(client, "/families/F900008/attach", _date("attached_on", date(2013, 2, 1)))
    assert 'href="/families/F900008"' not in client.get("/identification/").get_data(as_text=True)
    assert client.get("/families/F900008/criteria/wizardry/crime_asb/reject").status_code == 404


@pytest.mark.parametrize("role", ["lead_worker", "finance", "manager", "auditor"])
def test_only_coordinators_change_the_lifecycle(client, make, role):
    user = make.user(role)
    make.family("F900010", lead_worker_id=user.id)
    sign_in(client, user.email)
    assert client.get("/families/F900010").status_code == 200
    for url in (
        "/families/new",
        "/families/F900010/attach",
        "/families/F900010/close",
        "/families/F900010/lead-worker",
    ):
        # a lead worker proposes closing their family's case, for a manager's sign-off
        expected = 200 if (role, url) == ("lead_worker", "/families/F900010/close") else 403
        assert client.get(url).status_code == expected


def _family_urls(app, reference):
    for rule in app.url_map.iter_rules():
        if "reference" in rule.arguments:
            values = {arg: (reference if arg == "reference" else 1) for arg in rule.arguments}
            if "kind" in rule.arguments:
                values["kind"] = "local"
            if "person_ref" in rule.arguments:
                values["person_ref"] = f"{reference}-01"
            yield rule, rule.build(values, append_unknown=False)[1]


def test_no_family_scoped_url_opens_another_workers_family(client, make, app):
    owner = make.user("lead_worker")
    intruder = make.user("lead_worker")
    make.family("F900011", lead_worker_id=owner.id)
    with app.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == "F900011"))
        db.session.add(
            Member(
                family_id=family_id,
                person_ref="F900011-01",
                first_name="A",
                last_name="B",
                date_of_birth=date(1990, 1, 1),
            )
        )
        db.session.add(TafMember(family_id=family_id, name="Someone", joined_on=date(2013, 1, 1)))
        db.session.commit()
    sign_in(client, intruder.email)
    urls = list(_family_urls(app, "F900011"))
    assert len(urls) >= 8
    for rule, url in urls:
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": "x"})
            # 404 for everything but pages the role may never use (403), and CSRF (400) before any lookup.
            assert response.status_code in (400, 403, 404), f"{method} {url} gave {response.status_code}"
            if method == "GET" and rule.endpoint not in (
                "cases.attach",
                "cases.close",
                "cases.reopen",
                "cases.edit",
                "cases.lead_worker",
                "family_criteria.reject",
                "family_criteria.withdraw",
                "family_criteria.record",
                "verified_outcomes.decide",
                "claim_packs.family_pack",
                "signoff.approve",
                "signoff.return_it",
            ):
                assert response.status_code == 404, f"GET {url} gave {response.status_code}"
    # and with a valid token the POSTs are still refused
    from tests.helpers import csrf_token

    token = csrf_token(client, "/")
    for rule, url in urls:
        if "POST" in rule.methods:
            response = client.post(url, data={"csrf_token": token})
            assert response.status_code in (403, 404), f"POST {url} gave {response.status_code}"
