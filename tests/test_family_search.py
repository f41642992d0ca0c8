"""Finding families: by reference, name, postcode, UPN or NI number; filters; paging; scope."""

from datetime import date

import pytest

from tests.helpers import sign_in
from tff.cases.models import FamilyCriterion, Member
from tff.extensions import db


@pytest.fixture
def cohort(make, app):
    worker = make.user("lead_worker")
    families = {
        "F100001": dict(status="attached", postcode="S60 1AA", lead_worker_id=worker.id),
        "F100002": dict(status="identified", postcode="S61 2BB", programme="phase2"),
        "F200003": dict(status="closed", postcode="S60 9ZZ"),
    }
    ids = {ref: make.family(ref, **values).id for ref, values in families.items()}
    people = [
        ("F100001", "F100001-01", "Mary-Jane", "O'Neill", "QQ123456C", None),
        ("F100001", "F100001-02", "Kai", "O'Neill", None, "A123456789012"),
        ("F100002", "F100002-01", "Neill", "Smith", "AB123456D", None),
        ("F200003", "F200003-01", "Jade", "Smithson", None, "B999999999999"),
    ]
    with app.app_context():
        for family, ref, first, last, nino, upn in people:
            db.session.add(
                Member(
                    family_id=ids[family],
                    person_ref=ref,
                    first_name=first,
                    last_name=last,
                    nino=nino,
                    upn=upn,
                    date_of_birth=date(2000, 1, 1),
                )
            )
        db.session.add(FamilyCriterion(family_id=ids["F100002"], kind="local", code="benefit_cap", source="confirmed"))
        db.session.commit()
    return worker


def _found(client, query: str) -> set[str]:
    page = client.get(f"/families/?{query}").get_data(as_text=True)
    return {ref for ref in ("F100001", "F100002", "F200003") if f">{ref}</a>" in page}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=F1000", {"F100001", "F100002"}),
        ("q=f200003", set()),  # references are as the council writes them
        ("q=F200003", {"F200003"}),
        ("q=oneill", {"F100001"}),
        ("q=O%27Neill", {"F100001"}),
        ("q=mary+jane", {"F100001"}),
        ("q=maryjane+o%27neill", {"F100001"}),
        ("q=oneill+kai", {"F100001"}),
        ("q=smith", {"F100002", "F200003"}),
        ("q=neill", {"F100002"}),
        ("q=s60+1aa", {"F100001"}),
        ("q=S601AA", {"F100001"}),
        ("q=S60", {"F100001", "F200003"}),
        ("q=qq+12+34+56+c", {"F100001"}),
        ("q=a123456789012", {"F100001"}),
        ("q=nobody", set()),
        ("status=identified", {"F100002"}),
        ("programme=phase2", {"F100002"}),
        ("criterion=local:benefit_cap", {"F100002"}),
        ("q=smith&status=closed", {"F200003"}),
    ],
)
def test_coordinator_finds_families(client, make, cohort, query, expected):
    sign_in(client, make.user("coordinator").email)
    assert _found(client, query) == expected


def test_filter_by_lead_worker(client, make, cohort):
    sign_in(client, make.user("coordinator").email)
    assert _found(client, f"worker={cohort.id}") == {"F100001"}


def test_a_lead_worker_finds_only_their_own(client, cohort):
    sign_in(client, cohort.email)
    assert _found(client, "q=smith") == set()
    assert _found(client, "q=F") == {"F100001"}
    assert _found(client, "") == {"F100001"}


def test_bad_filter_values_are_ignored_not_errors(client, make, cohort):
    sign_in(client, make.user("coordinator").email)
    response = client.get("/families/?status=weird&sort=evil&page=-3&worker=abc&criterion=x:y")
    assert response.status_code == 200
    assert "3</strong> families" in response.get_data(as_text=True)


def test_pages_of_fifty(client, make, app):
    for n in range(120):
        make.family(f"F3{n:05d}")
    sign_in(client, make.user("coordinator").email)
    first = client.get("/families/?q=F3").get_data(as_text=True)
    assert "<strong>120</strong> families" in first and "Page 1 of 3" in first
    assert first.count('class="govuk-link" href="/families/F3') == 50
    last = client.get("/families/?q=F3&page=3").get_data(as_text=True)
    assert last.count('class="govuk-link" href="/families/F3') == 20
    assert "F300119" in last
