"""What each role may read of a family (`tff.cases.need_to_know`), proved over the URL map: every
address of a family's data belongs to a section, every section of every family page refuses the
roles the table refuses (a page sends them to break the glass; a change is refused outright),
and breaking the glass opens the section to that user, for that family, for an hour, with the
reason logged, marked and listed for the administrators."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.case_work import audit_entries, error_summary, text
from tests.helpers import csrf_token, submit
from tests.url_map import build_world, methods_of, roles_of, rules_of, signed_in_client, url_for_rule
from tff.auth import roles
from tff.cases import need_to_know
from tff.extensions import db
from tff.privacy.models import FamilyView

#: the pages a role reaches a family's data through that are not the family's own sections
NOT_A_SECTION = {"break_glass.open_section"}


@pytest.fixture
def world(clean, make):
    return build_world(clean, make)


def _family_rules(app):
    return [r for r in rules_of(app) if "reference" in r.arguments and r.endpoint not in NOT_A_SECTION]


def test_every_address_of_a_family_belongs_to_a_section(app):
    missing = sorted({r.endpoint for r in _family_rules(app)} - set(need_to_know.SECTION_OF))
    assert not missing, f"addresses of a family's data in no section (refused to everyone): {missing}"
    unknown = set(need_to_know.SECTION_OF.values()) - set(need_to_know.SECTIONS)
    assert not unknown


def test_the_table_is_as_the_programme_needs_it():
    """Lead workers and coordinators read the case work; finance and internal audit the record,
    results and claims, never the case work; managers summaries and approvals."""
    reads = need_to_know.may_read
    for role in (roles.LEAD_WORKER, roles.COORDINATOR):
        assert all(reads(role, section) for section in need_to_know.SECTIONS)
    for role in (roles.FINANCE, roles.AUDITOR):
        assert reads(role, need_to_know.RESULTS) and reads(role, need_to_know.SUMMARY)
        assert not reads(role, need_to_know.CASE_WORK) and not reads(role, need_to_know.EVIDENCE)
    assert reads(roles.MANAGER, need_to_know.VERIFIED) and not reads(roles.MANAGER, need_to_know.CASE_WORK)
    assert not reads(roles.ADMIN, need_to_know.CASE_WORK)
    assert not reads(roles.FINANCE, None)


def test_every_section_of_every_family_page_refuses_the_roles_the_table_refuses(clean, world):
    """Each role (allowed the address by its role at all) against each family address: a page
    it does not read sends it to break the glass, a change is refused (403); a page it reads
    never does."""
    users = {**world.users, roles.LEAD_WORKER: world.owner}
    clients = {role: signed_in_client(clean, user) for role, user in users.items()}
    tokens = {role: csrf_token(client, "/") for role, client in clients.items()}
    tried = refused = 0
    for rule in _family_rules(clean):
        section = need_to_know.SECTION_OF[rule.endpoint]
        url = url_for_rule(rule, world.values)
        for role, client in clients.items():
            if role not in roles_of(clean, rule):
                continue
            reads = need_to_know.may_read(role, section)
            for method in methods_of(rule):
                if method == "POST" and reads:
                    continue  # a change the role may make is the feature tests' to try
                response = client.open(
                    url, method=method, data={"csrf_token": tokens[role]} if method == "POST" else None
                )
                tried += 1
                glass = response.status_code == 302 and "/break-glass/" in response.headers.get("Location", "")
                if reads:
                    assert not glass, f"{role} sent to break the glass for {method} {url}"
                elif method == "GET":
                    refused += 1
                    assert glass, f"{role} reads {method} {url} ({section}): {response.status_code}"
                    assert f"/break-glass/{section}" in response.headers["Location"]
                else:
                    refused += 1
                    assert response.status_code == 403, f"{role} {method} {url}: {response.status_code}"
    assert tried > 120 and refused > 40


def _note_url(world) -> str:
    return f"/families/{world.theirs.reference}/notes/{world.values['note_id']}"


def test_a_finance_officer_breaks_the_glass_to_read_a_case_note(clean, world):
    finance = signed_in_client(clean, world.users["finance"])
    refused = finance.get(_note_url(world))
    assert refused.status_code == 302
    glass = refused.headers["Location"]
    page = text(finance.get(glass))
    assert "Your role does not read this part of the family’s record" in page
    assert "Case work: the Family CAF and its screenings" in page

    short = submit(finance, glass, {"reason": "urgent", "next": _note_url(world)})
    assert short.status_code == 400
    assert "Say why you need to open it, in at least 10 characters" in error_summary(short)
    opened = submit(finance, glass, {"reason": "Court order asks for the notes of May", "next": _note_url(world)})
    assert opened.status_code == 302 and opened.headers["Location"] == _note_url(world)
    assert finance.get(_note_url(world)).status_code == 200
    # the act and the views through it are marked in the log, and audited
    with clean.app_context():
        marked = db.session.execute(
            select(FamilyView.endpoint, FamilyView.section, FamilyView.reason).where(FamilyView.section.is_not(None))
        ).all()
    assert ("break_glass.open_section", "case_work", "Court order asks for the notes of May") in marked
    assert ("progress.note", "case_work", None) in marked
    assert len(audit_entries(clean, "family.break_glass")) == 1
    # only that section: the evidence stays closed
    evidence = finance.get(f"/families/{world.theirs.reference}/evidence")
    assert "/break-glass/evidence" in evidence.headers["Location"]
    # and listed for the administrators
    admin = signed_in_client(clean, world.users["admin"])
    listing = text(admin.get("/admin/access"))
    assert "Court order asks for the notes of May" in listing
    assert "Case work" in listing
    log = text(admin.get("/privacy/family-views"))
    assert "Broke the glass: case work Court order asks for the notes of May" in log


def test_the_glass_closes_after_an_hour(clean, world):
    finance = signed_in_client(clean, world.users["finance"])
    glass = finance.get(_note_url(world)).headers["Location"]
    submit(finance, glass, {"reason": "Safeguarding strategy meeting today", "next": _note_url(world)})
    assert finance.get(_note_url(world)).status_code == 200
    with clean.app_context():
        db.session.execute(
            update(FamilyView)
            .where(FamilyView.reason.is_not(None))
            .values(viewed_at=FamilyView.viewed_at - timedelta(hours=1, minutes=1))
        )
        db.session.commit()
    assert "/break-glass/" in finance.get(_note_url(world)).headers["Location"]


def test_the_glass_leads_only_back_to_the_family(clean, world):
    finance = signed_in_client(clean, world.users["finance"])
    glass = finance.get(_note_url(world)).headers["Location"].split("?")[0]
    opened = submit(finance, glass, {"reason": "Court order asks for the notes", "next": "https://example.org/"})
    assert opened.headers["Location"] == f"/families/{world.theirs.reference}"


def test_the_overview_keeps_the_case_work_from_roles_that_do_not_read_it(clean, world):
    finance = signed_in_client(clean, world.users["finance"])
    page = text(finance.get(f"/families/{world.theirs.reference}"))
    assert "The team is part of the case work, which your role does not read." in page
    assert "Sam Social" not in page
    assert "Notes (needs a reason)" in page
    coordinator = signed_in_client(clean, world.users["coordinator"])
    assert "Sam Social" in text(coordinator.get(f"/families/{world.theirs.reference}"))


def test_only_administrators_read_the_access_table(clean, world):
    for role, user in world.users.items():
        status = signed_in_client(clean, user).get("/admin/access").status_code
        assert status == (200 if role == roles.ADMIN else 403)


def test_a_safeguarding_flag_warns_every_role_and_names_the_details_only_to_case_workers(clean, world):
    """Everyone who opens the family is warned; who the flag is about and where it came from
    are case work."""
    from datetime import date

    from tff.evidence.models import Spell

    with clean.app_context():
        db.session.add(Spell(member_id=world.values["person_member_id"], kind="cp_plan", start_date=date(2024, 1, 8)))
        db.session.commit()
    url = f"/families/{world.theirs.reference}"
    finance = text(signed_in_client(clean, world.users["finance"]).get(url))
    assert "Safeguarding: take care with this family" in finance
    assert "Speak to the family’s lead worker" in finance and "since 8 Jan 2024" not in finance
    coordinator = text(signed_in_client(clean, world.users["coordinator"]).get(url))
    assert "since 8 Jan 2024" in coordinator
