"""Every date the product takes, typed on a form, read from a file or given to a command, lies
within the plausible range (1 January 1900 to 31 December 2100 unless an administrator widened
it), dates of birth are not in the future, a date sent as one value instead of day, month and
year is a message and never a 500, and a date that matters for the record is asked for rather
than taken as today."""

import importlib
import pkgutil
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from flask_wtf import FlaskForm
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import tff
from tests.case_work import day, error_summary, member, text
from tests.helpers import Maker, sign_in, submit
from tests.imports_support import (
    attendance_csv,
    cohort,
    families_csv,
    family,
    members_csv,
    run_import,
)
from tests.imports_support import member as member_row
from tff.audit.models import AuditEntry
from tff.cases.caf.models import Action, CafConsent, TafMeeting
from tff.cases.models import Family
from tff.claims.models import ClaimWindow
from tff.dates import today
from tff.extensions import db
from tff.forms import DateField
from tff.outcomes.models import Evaluation

ONE_VALUE = "2013-07-31"
ONE_VALUE_MESSAGE = "must have a day, a month and a year"
BEFORE_1900 = "is before 1 January 1900, the earliest date the product accepts (an administrator can change the range)"
AFTER_2100 = "is after 31 December 2100, the latest date the product accepts (an administrator can change the range)"


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _signed_in(app, role: str):
    client = app.test_client()
    sign_in(client, Maker(app).user(role).email)
    return client


# --- imports ----------------------------------------------------------------------------------


def test_families_with_an_attachment_date_outside_the_range_are_rejected_with_their_line(clean):
    data = families_csv(
        family("F1", identified_on="", attached_on="0001-01-01"),  # line 2
        family("F2", identified_on="", attached_on="9999-12-31"),  # line 3
        family("F3", identified_on="", attached_on="1899-12-31"),  # line 4: a day short
        family("F4", identified_on="", attached_on="1900-01-01"),  # line 5: on the first day
        family("F5", identified_on="", attached_on="2100-12-31"),  # line 6: on the last day
        family("F6", identified_on="", attached_on="2101-01-01"),  # line 7: a day over
        family("F7", identified_on="1899-12-31"),  # line 8
    )
    result = run_import(clean, "families", data)
    assert (result.accepted, result.rejected) == (2, 5)
    assert result.rejections == {
        2: [f"attached_on 0001-01-01 {BEFORE_1900}"],
        3: [f"attached_on 9999-12-31 {AFTER_2100}"],
        4: [f"attached_on 1899-12-31 {BEFORE_1900}"],
        7: [f"attached_on 2101-01-01 {AFTER_2100}"],
        8: [f"identified_on 1899-12-31 {BEFORE_1900}"],
    }
    with clean.app_context():
        held = dict(db.session.execute(select(Family.reference, Family.attached_on)).all())
    assert held == {"F4": date(1900, 1, 1), "F5": date(2100, 12, 31)}


def test_a_date_of_birth_tomorrow_is_rejected_and_today_accepted(clean):
    assert run_import(clean, "families", families_csv(family("F1"))).accepted == 1
    tomorrow = today() + timedelta(days=1)
    result = run_import(
        clean,
        "members",
        members_csv(
            member_row("F1-01", family_ref="F1", date_of_birth=tomorrow.isoformat()),
            member_row("F1-02", family_ref="F1", date_of_birth=today().isoformat()),
            member_row("F1-03", family_ref="F1", date_of_birth="1899-12-31"),
        ),
    )
    assert (result.accepted, result.rejected) == (1, 2)
    assert result.rejections == {
        2: [f"date_of_birth {tomorrow.isoformat()} is in the future"],
        4: [f"date_of_birth 1899-12-31 {BEFORE_1900}"],
    }


def test_attendance_for_an_implausible_or_malformed_academic_year_is_rejected(clean):
    cohort(clean)
    rows = [
        {"person_ref": "F001-02", "academic_year": year, "term": "autumn", "possible_sessions": "100"}
        | {"unauthorised_absence_sessions": "1"}
        for year in ("0000/01", "2012/14", "2012/13", "1899/00", "1900/01", "2099/00", "2100/01")
    ]
    result = run_import(clean, "attendance", attendance_csv(*rows))
    assert (result.accepted, result.rejected) == (3, 4)
    outside = (
        "is outside the academic years the product accepts (1900/01 to 2099/00) (an administrator can change the range)"
    )
    assert result.rejections == {
        2: [f"academic_year 0000/01 {outside}"],
        3: ['academic_year "2012/14" is not an academic year like 2012/13'],
        5: [f"academic_year 1899/00 {outside}"],
        8: [f"academic_year 2100/01 {outside}"],
    }


def test_spells_and_events_dates_are_checked_too(clean):
    from tests.imports_support import events_csv, spells_csv

    cohort(clean)
    events = run_import(
        clean,
        "events",
        events_csv(
            {"person_ref": "F001-01", "kind": "offence", "date": "0001-01-01"},
            {"person_ref": "F001-01", "kind": "offence", "date": "2013-01-01"},
        ),
    )
    assert (events.accepted, events.rejected) == (1, 1)
    assert events.rejections == {2: [f"date 0001-01-01 {BEFORE_1900}"]}
    spells = run_import(
        clean,
        "spells",
        spells_csv(
            {"person_ref": "F001-01", "kind": "benefit", "detail": "JSA", "start_date": "2012-01-01"}
            | {"end_date": "9999-12-31"}
        ),
    )
    assert (spells.accepted, spells.rejected) == (0, 1)
    assert spells.rejections == {2: [f"end_date 9999-12-31 {AFTER_2100}"]}


# --- forms ------------------------------------------------------------------------------------


@pytest.fixture
def coordinator(clean):
    client = clean.test_client()
    user = Maker(clean).user("coordinator")
    sign_in(client, user.email)
    return client


def test_attaching_with_year_0001_says_what_is_wrong_and_changes_nothing(clean, coordinator, make):
    made = make.family("F1", status="identified", identified_on=date(2012, 1, 5))
    audit_before = _count(clean, AuditEntry)
    response = submit(coordinator, "/families/F1/attach", {"attached_on": ["1", "1", "0001"]})
    assert response.status_code in (200, 400)
    assert f"Date attached 0001-01-01 {BEFORE_1900}" in error_summary(response)
    with clean.app_context():
        family = db.session.get(Family, made.id)
        assert (family.status, family.attached_on) == ("identified", None)
    assert _count(clean, AuditEntry) == audit_before


def test_a_date_of_birth_tomorrow_is_refused_on_the_member_form(clean, coordinator, make):
    make.family("F1", status="identified", identified_on=date(2012, 1, 5))
    tomorrow = today() + timedelta(days=1)
    response = submit(
        coordinator,
        "/families/F1/members/new",
        {"person_ref": "F1-01", "first_name": "Amy", "last_name": "Smith", **day("date_of_birth", tomorrow)},
    )
    assert response.status_code in (200, 400)
    assert f"Date of birth {tomorrow.isoformat()} is in the future" in error_summary(response)


class _Forms(HTMLParser):
    """The forms of a page: action, method, hidden values, and the names of GOV.UK date inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action"), "method": (attrs.get("method") or "get").lower(), "hidden": {}}
                | {"dates": {}}
            )
        elif tag == "input" and self.forms:
            form = self.forms[-1]
            if attrs.get("type") == "hidden" and attrs.get("name"):
                form["hidden"][attrs["name"]] = attrs.get("value") or ""
            if (attrs.get("id") or "").endswith(("-day", "-month", "-year")) and attrs.get("name"):
                form["dates"].setdefault(attrs["name"], []).append(attrs.get("value") or "")


def _forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _all_form_classes():
    """Every form class of the product, the ones made by factories included."""
    for module in pkgutil.walk_packages(tff.__path__, "tff."):
        if "forms" in module.name:
            importlib.import_module(module.name)
    from tff.cases.caf.forms import assessment_form, screening_form
    from tff.cases.caf.models import SCREENINGS

    found, todo = set(), list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("tff.") and cls not in found:
            found.add(cls)
        todo.extend(cls.__subclasses__())
    return found | {assessment_form(), *(screening_form(kind) for kind in SCREENINGS)}


def _date_fields(cls) -> list[str]:
    names = []
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        if getattr(unbound, "field_class", None) is not None and issubclass(unbound.field_class, DateField):
            names.append(name)
    return names


@pytest.mark.parametrize("values", [[ONE_VALUE], ["31", "7"], ["31", "7", "2013", "1"]])
def test_every_date_field_of_every_form_takes_a_wrong_number_of_values_with_a_message(app, values):
    checked = 0
    for cls in _all_form_classes():
        for name in _date_fields(cls):
            with app.test_request_context(method="POST", data={name: values}):
                form = cls(meta={"csrf": False})
                field = form[name]
                field.validate(form)
                assert any(ONE_VALUE_MESSAGE in e for e in field.errors), (cls.__name__, name, field.errors)
                assert field.data is None
                field()  # the widget shows what was sent without failing
                checked += 1
    assert checked >= 40  # every DateField of the product (44 when this was written)


def test_every_date_field_refuses_a_year_outside_the_range(app):
    for cls in _all_form_classes():
        for name in _date_fields(cls):
            with app.test_request_context(method="POST", data={name: ["1", "1", "0001"]}):
                form = cls(meta={"csrf": False})
                form[name].validate(form)
                if not form[name].plausible:
                    continue  # the range itself
                assert any(BEFORE_1900 in e for e in form[name].errors), (cls.__name__, name, form[name].errors)


@pytest.fixture
def cohort_pages(clean):
    """Families in each state, with a member, a consent, an action, a referral, an event and
    a spell, and a signed-in client of each role."""
    from tff.auth.models import User
    from tff.cases.caf import operations as caf
    from tff.cases.referrals import operations as referrals
    from tff.evidence.models import Event, Spell

    make = Maker(clean)
    clients = {role: _signed_in(clean, role) for role in ("coordinator", "finance", "manager", "admin", "auditor")}
    attached = make.family("FA", status="attached", identified_on=date(2012, 9, 1), attached_on=date(2012, 9, 15))
    make.family("FI", status="identified", identified_on=date(2012, 9, 1))
    make.family(
        "FC", status="closed", identified_on=date(2012, 9, 1), attached_on=date(2012, 9, 15), closed_on=date(2013, 7, 1)
    )
    # measured by the Supporting Families plan, whose verified outcomes its lead worker records
    make.family(
        "FS",
        programme="supporting_families",
        status="attached",
        identified_on=date(2023, 1, 2),
        attached_on=date(2023, 1, 9),
    )
    amy = member(clean, attached.id, "Amy", "Smith", date(1980, 5, 1), ref="FA-01")
    with clean.app_context():
        user = db.session.scalar(select(User).where(User.role == "admin"))
        family = db.session.get(Family, attached.id)
        consent = caf.record_consent(family, user, date(2013, 1, 5), None, "Amy", ["schools"], None, ["education"])
        action = caf.add_action(
            family, user, "Walk to school", date(2013, 2, 1), owner="Mum", agreed_on=date(2013, 1, 5)
        )
        provider = referrals.save_provider(user, "Family Support", "family_support", "10")
        referral = referrals.request_referral(family, user, provider, date(2013, 1, 6), "Support")
        event = Event(member_id=amy, kind="offence", date=date(2013, 1, 1), source="police", detail="")
        spell = Spell(member_id=amy, kind="benefit", detail="JSA", start_date=date(2012, 1, 1), source="dwp")
        db.session.add_all([event, spell])
        db.session.commit()
        ids = {"consent": consent.id, "action": action.id, "referral": referral.id, "event": event.id}
        ids["spell"] = spell.id
    submit(clients["manager"], "/outcome-plans/shipped", {}, form_url="/outcome-plans/")
    with clean.app_context():
        from tff.outcomes.plan_versions.models import OutcomePlanVersion

        version = db.session.scalar(select(OutcomePlanVersion).order_by(OutcomePlanVersion.id).limit(1))
        version.in_force_from = None  # not adopted: its page offers the adoption form
        db.session.commit()
        ids["version"] = version.id
    return clients, ids


def test_a_date_sent_as_one_value_on_any_page_is_a_message_not_a_500(clean, cohort_pages):
    clients, ids = cohort_pages
    pages = [
        "/families/new",
        "/families/FA/edit",
        "/families/FI/attach",
        "/families/FA/close",
        "/families/FC/reopen",
        "/families/FA/members/new",
        "/families/FA/members/FA-01",
        "/families/FA/caf/consent",
        f"/families/FA/caf/consent/{ids['consent']}/withdraw",
        "/families/FA/caf/assessments/new",
        "/families/FA/caf/screenings/substance/new",
        "/families/FA/plan/new",
        f"/families/FA/plan/{ids['action']}",
        "/families/FA/meetings/new",
        "/families/FA/reviews/new",
        "/families/FA/notes/new",
        "/families/FA/referrals/new",
        f"/families/FA/referrals/{ids['referral']}/accept",
        f"/families/FA/referrals/{ids['referral']}/decline",
        f"/families/FA/referrals/{ids['referral']}/close",
        "/families/FA/level",
        "/families/FA/evidence/events/new",
        f"/families/FA/evidence/events/{ids['event']}",
        "/families/FA/evidence/spells/new",
        f"/families/FA/evidence/spells/{ids['spell']}",
        "/families/FS/verified-outcomes/new",
        "/claims/new",
        "/outcomes/new",
        f"/outcome-plans/{ids['version']}",
        "/funding/fees/new",
        "/admin/funding/programme-ends",
        "/admin/evidence/terms/2012",
        "/admin/evidence/dates",
        "/audit/",
        "/privacy/family-views",
    ]
    answered = set()
    for url in pages:
        found = None
        for role, client in clients.items():
            page = client.get(url)
            if page.status_code == 200 and any(f["dates"] for f in _forms(page.get_data(as_text=True))):
                found = (role, client, page)
                break
        assert found, f"no role sees a date on {url}"
        role, client, page = found
        for form in _forms(page.get_data(as_text=True)):
            for name in form["dates"]:
                data = {**form["hidden"], name: ONE_VALUE}
                action = form["action"] or url
                if form["method"] == "post":
                    response = client.post(action, data=data)
                else:
                    response = client.get(action, query_string=data)
                where = f"{name} on {url} ({form['method']} {action}, as {role})"
                assert response.status_code in (200, 400), where
                assert ONE_VALUE_MESSAGE in text(response), where
                answered.add(name)
    assert {"given_on", "held_on", "closed_on", "attached_on", "as_of", "date_from", "in_force_from"} <= answered


def test_the_results_page_with_an_edge_as_of_date_says_so(clean, coordinator, make):
    made = make.family("F1", status="attached", identified_on=date(2012, 9, 1), attached_on=date(2012, 9, 15))
    for as_of, problem in (("0001-01-01", BEFORE_1900), ("9999-12-31", AFTER_2100), ("1899-12-31", BEFORE_1900)):
        response = coordinator.get(f"/families/{made.reference}/results", query_string={"as_of": as_of})
        assert response.status_code == 200, as_of
        assert f"The as of date {as_of} {problem}" in error_summary(response)
    assert coordinator.get(f"/families/{made.reference}/results?as_of=1900-01-01").status_code == 200


# --- the range an administrator sets ----------------------------------------------------------


def test_an_administrator_widens_the_range_and_a_date_of_1899_is_then_accepted(clean):
    admin = _signed_in(clean, "admin")
    assert "From 1 January 1900 to 31 December 2100" in text(admin.get("/admin/evidence/"))
    refused = run_import(clean, "families", families_csv(family("F1", identified_on="1899-12-31")))
    assert refused.rejections == {2: [f"identified_on 1899-12-31 {BEFORE_1900}"]}

    backwards = submit(
        admin, "/admin/evidence/dates", {**day("earliest", date(2000, 1, 1)), **day("latest", date(1999, 1, 1))}
    )
    assert backwards.status_code == 400
    assert "The latest date must be after the earliest date" in error_summary(backwards)
    too_wide = submit(
        admin, "/admin/evidence/dates", {"earliest": ["1", "1", "0001"], **day("latest", date(2100, 12, 31))}
    )
    assert too_wide.status_code == 400
    assert "The earliest date must be between 1 January 1000 and 31 December 9000" in error_summary(too_wide)
    assert _count(clean, AuditEntry, AuditEntry.action == "evidence.date_range") == 0

    done = submit(
        admin, "/admin/evidence/dates", {**day("earliest", date(1850, 1, 1)), **day("latest", date(2100, 12, 31))}
    )
    assert done.status_code == 302
    with clean.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "evidence.date_range")).all()
        assert entry.before == {"earliest": "1900-01-01"} and entry.after == {"earliest": "1850-01-01"}
        assert entry.user_id is not None
    assert "From 1 January 1850 to 31 December 2100" in text(admin.get("/admin/evidence/"))

    accepted = run_import(clean, "families", families_csv(family("F1", identified_on="1899-12-31")))
    assert (accepted.accepted, accepted.rejected) == (1, 0)
    coordinator = _signed_in(clean, "coordinator")
    Maker(clean).family("F2", status="identified", identified_on=date(1860, 1, 1))
    response = submit(
        coordinator,
        "/families/F2/attach",
        {"attached_on": ["31", "12", "1899"], "override_reason": "Agreed at the panel"},
    )
    assert response.status_code == 302, error_summary(response)
    still_refused = run_import(clean, "families", families_csv(family("F3", identified_on="1849-12-31")))
    assert still_refused.rejections == {
        2: [
            "identified_on 1849-12-31 is before 1 January 1850, the earliest date the product accepts "
            "(an administrator can change the range)"
        ]
    }


def test_only_an_administrator_changes_the_range(clean):
    for role in ("coordinator", "manager", "finance"):
        assert _signed_in(clean, role).get("/admin/evidence/dates").status_code == 403


# --- no blank date becomes today --------------------------------------------------------------


@pytest.fixture
def lead(clean, make):
    client = clean.test_client()
    user = make.user("lead_worker")
    made = make.family("F1", lead_worker_id=user.id, status="attached", attached_on=date(2013, 1, 10))
    mother = member(clean, made.id, "Jane", "Smith", date(1980, 3, 1))
    sign_in(client, user.email)
    return client, made, mother


def _date_values(response, name: str) -> list[str]:
    return [v for form in _forms(response.get_data(as_text=True)) for v in form["dates"].get(name, [])]


def test_caf_consent_without_a_date_asks_for_one_and_stores_nothing(clean, lead):
    client, _family, mother = lead
    assert _date_values(client.get("/families/F1/caf/consent"), "given_on") == ["", "", ""]
    response = submit(
        client,
        "/families/F1/caf/consent",
        {"given_by": str(mother), "agencies": ["schools"], "information": ["education"]},
    )
    assert response.status_code in (200, 400)
    assert "Enter the date consent was given" in error_summary(response)
    assert _count(clean, CafConsent) == 0


def test_a_taf_meeting_without_a_date_asks_for_one_and_stores_nothing(clean, lead):
    client, _family, _mother = lead
    assert _date_values(client.get("/families/F1/meetings/new"), "held_on") == ["", "", ""]
    response = submit(client, "/families/F1/meetings/new", {"other_attendees": "Jane", "decisions": "Go to school"})
    assert response.status_code in (200, 400)
    assert "Enter the date the meeting was held" in error_summary(response)
    assert _count(clean, TafMeeting) == 0


def test_an_action_without_the_date_agreed_asks_for_it(clean, lead):
    client, _family, _mother = lead
    assert _date_values(client.get("/families/F1/plan/new"), "agreed_on") == ["", "", ""]
    response = submit(
        client,
        "/families/F1/plan/new",
        {"description": "Walk to school", "owner": "Jane", **day("due_on", date(2013, 3, 1))},
    )
    assert response.status_code in (200, 400)
    assert "Enter the date the action was agreed" in error_summary(response)
    assert _count(clean, Action) == 0


def test_closing_a_case_without_a_date_asks_for_one_and_changes_nothing(clean, coordinator, make):
    made = make.family("F1", status="attached", identified_on=date(2012, 9, 1), attached_on=date(2012, 9, 15))
    assert _date_values(coordinator.get("/families/F1/close"), "closed_on") == ["", "", ""]
    response = submit(coordinator, "/families/F1/close", {"reason": "outcomes_achieved"})
    assert response.status_code in (200, 400)
    assert "Enter the date the case closed" in error_summary(response)
    with clean.app_context():
        family = db.session.get(Family, made.id)
        assert (family.status, family.closed_on) == ("attached", None)


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_outcomes_as_of_outside_the_range_exits_2_and_changes_nothing(clean, as_of):
    Maker(clean).family("F1", status="attached", identified_on=date(2012, 9, 1), attached_on=date(2012, 9, 15))
    result = clean.test_cli_runner().invoke(args=["outcomes", "--as-of", as_of])
    assert result.exit_code == 2, result.output
    assert f"Date {as_of} is" in result.output and "the product accepts" in result.output
    assert _count(clean, Evaluation) == 0


def test_a_claim_window_with_a_date_outside_the_range_exits_2_and_is_not_made(clean):
    runner = clean.test_cli_runner()
    for args in (
        ["--as-of", "0001-01-01"],
        ["--as-of", "2013-07-31", "--opens", "1899-12-31"],
        ["--as-of", "2013-07-31", "--closes", "9999-12-31"],
    ):
        result = runner.invoke(args=["claims", "window-create", "2013-07", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "the product accepts" in result.output
    assert _count(clean, ClaimWindow) == 0
    made = runner.invoke(args=["claims", "window-create", "2013-07", "--as-of", "1900-01-01"])
    assert made.exit_code == 0, made.output


@given(st.dates())
@settings(max_examples=300, deadline=None)
def test_a_date_is_plausible_exactly_when_it_is_within_the_default_range(value):
    from tff.dates import date_problem

    problem = date_problem(value, "date")
    assert (problem is None) == (date(1900, 1, 1) <= value <= date(2100, 12, 31))
    if problem:
        assert problem.startswith(f"date {value.isoformat()} is ")
