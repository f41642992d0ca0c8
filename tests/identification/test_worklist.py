"""The identification worklist (`identification.md`): the families eligible on their confirmed
criteria, then those that would be if their suggestions were confirmed, each with its criteria
and their evidence; filtered, sorted, a page at a time and as CSV; the cohort's suggestions
worked out again from the page. The groups are worked out in SQL, and agree with the rule
(`engine.eligible`) for any criteria a family may hold."""

import csv
import io
import re
from datetime import date, datetime
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from tests.case_work import post, text
from tests.helpers import sign_in, submit
from tff.auth.models import User
from tff.cases.models import Family, FamilyCriterion, Member, TafMember
from tff.cases.models.identification import CONFIRMED, FROM_EVIDENCE, IMPORTED
from tff.evidence.models import Event, Spell
from tff.extensions import db
from tff.identification import engine, worklist, worklist_views
from tff.identification.job import JOB_KIND
from tff.identification.models import IdentificationSuggestion, RejectedCriterion
from tff.jobs.models import Job
from tff.jobs.operations import start

PAGE = "/identification/"
CSV = "/identification/worklist.csv"
SUGGEST = "/identification/suggest"
CRIME, EDUCATION, WORK = engine.PHASE1_NATIONAL
AS_OF = date(2013, 8, 14)


@pytest.fixture
def coordinator(client, make):
    user = make.user("coordinator")
    sign_in(client, user.email)
    return user


def _family(app, make, reference, programme="phase1", identified_on=date(2013, 1, 1), **criteria) -> int:
    """A family identified and not attached, with criteria: `confirmed`, `imported`,
    `confirmed_suggestion` (from evidence, then confirmed), `unconfirmed` (from evidence, never
    confirmed), `suggested` ({(kind, code): [evidence]}) and `rejected` (kind, code) pairs."""
    values = {k: criteria.pop(k) for k in ("status", "attached_on", "lead_worker_id") if k in criteria}
    family = make.family(reference, programme=programme, identified_on=identified_on, **values)
    with app.app_context():
        _criteria(family.id, **criteria)
        db.session.commit()
    return family.id


def _criteria(
    family_id, confirmed=(), imported=(), confirmed_suggestion=(), unconfirmed=(), suggested=None, rejected=()
):
    for source, pairs in ((CONFIRMED, confirmed), (IMPORTED, imported), (FROM_EVIDENCE, unconfirmed)):
        for kind, code in pairs:
            db.session.add(FamilyCriterion(family_id=family_id, kind=kind, code=code, source=source))
    for kind, code in confirmed_suggestion:
        db.session.add(
            FamilyCriterion(
                family_id=family_id, kind=kind, code=code, source=FROM_EVIDENCE, confirmed_at=datetime(2013, 9, 1)
            )
        )
    for (kind, code), evidence in (suggested or {}).items():
        db.session.add(
            IdentificationSuggestion(family_id=family_id, kind=kind, code=code, evidence=evidence, as_of=AS_OF)
        )
    if rejected:
        by = db.session.scalar(select(User.id).order_by(User.id).limit(1))
        for kind, code in rejected:
            db.session.add(
                RejectedCriterion(
                    family_id=family_id,
                    kind=kind,
                    code=code,
                    reason="The police record is of another family",
                    evidence=["asb 2013-02-11 (police E9)"],
                    rejected_by_id=by,
                )
            )


def _listed(response) -> list[str]:
    """The families of the page's table, in order."""
    assert response.status_code == 200, response.status_code
    return re.findall(r'<tr class="govuk-table__row" data-family="([^"]+)"', response.get_data(as_text=True))


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _national(*codes):
    return [("national", code) for code in codes]


def _cohort(app, make):
    """B and A eligible on three confirmed criteria (B identified first); C eligible if its two
    suggestions are confirmed; D, phase two, if its two suggested problems are; E (one
    national criterion) and G (Supporting Families, two problems) meet neither; F is attached."""
    _family(app, make, "A", identified_on=date(2013, 2, 1), confirmed=_national(CRIME, EDUCATION, WORK))
    _family(
        app,
        make,
        "B",
        confirmed=_national(CRIME, WORK),
        imported=[("local", "deprived_area")],
    )
    _family(
        app,
        make,
        "C",
        confirmed=_national(EDUCATION),
        suggested={
            ("national", CRIME): ["asb 2013-02-11 (police E123)"],
            ("national", WORK): ["ESA from 2012-01-01"],
        },
    )
    _family(
        app,
        make,
        "D",
        programme="phase2",
        suggested={("problem", "crime_asb"): ["asb 2013-02-11 (police E7)"], ("problem", "health"): ["a GP letter"]},
    )
    _family(app, make, "E", confirmed=_national(EDUCATION))
    _family(
        app, make, "G", programme="supporting_families", confirmed=[("problem", "health"), ("problem", "crime_asb")]
    )
    _family(
        app,
        make,
        "F",
        status="attached",
        attached_on=date(2013, 3, 1),
        confirmed=_national(CRIME, EDUCATION, WORK),
    )


# --- the list ----------------------------------------------------------------------------------


def test_eligible_families_come_first_then_those_eligible_if_confirmed(client, coordinator, make, clean):
    _cohort(clean, make)
    page = client.get(PAGE)
    assert _listed(page) == ["B", "A", "C", "D"]
    words = text(page)
    assert (
        "2 families are eligible on their confirmed criteria; 2 would be if their suggestions were confirmed" in words
    )
    assert "2 identified families meet neither and are not listed" in words
    html = page.get_data(as_text=True)
    assert 'href="/families/B"' in html and 'href="/families/F"' not in html
    groups = dict(re.findall(r'data-family="([^"]+)" data-group="(\d)"', html))
    assert groups == {"B": "1", "A": "1", "C": "2", "D": "2"}


def test_each_criterion_shows_its_status_in_words_and_its_evidence(client, coordinator, make, clean):
    _cohort(clean, make)
    with clean.app_context():
        c = db.session.scalar(select(Family.id).where(Family.reference == "C"))
        db.session.add(
            FamilyCriterion(family_id=c, kind="local", code="benefit_cap", source=IMPORTED, note="capped from May 2012")
        )
        db.session.commit()
    html = client.get(PAGE, query_string={"criterion": "national:crime_asb", "group": "eligible_if_confirmed"})
    row = re.search(r'data-family="C".*?</tr>', html.get_data(as_text=True), re.S).group(0)
    words = text(html)
    assert "Youth crime or anti-social behaviour suggested asb 2013-02-11 (police E123)" in words
    assert "Adults on out-of-work benefits suggested ESA from 2012-01-01" in words
    assert "Poor school attendance or exclusions confirmed" in words
    assert "Affected by the benefit cap imported capped from May 2012" in words
    assert row.index('data-status="confirmed"') < row.index('data-status="suggested"')


def test_a_rejected_suggestion_does_not_make_a_family_eligible_if_confirmed(client, coordinator, make, clean):
    # two confirmed national criteria: a third suggested would make it eligible, but it was rejected
    _family(
        clean,
        make,
        "R",
        confirmed=_national(CRIME, EDUCATION),
        suggested={("national", WORK): ["ESA from 2012-01-01"]},
        rejected=_national(WORK),
    )
    # the same, with a local filter suggested too and not rejected: eligible if confirmed
    _family(
        clean,
        make,
        "S",
        confirmed=_national(CRIME, EDUCATION),
        suggested={
            ("national", WORK): ["ESA from 2012-01-01"],
            ("local", "domestic_abuse"): ["domestic_abuse 2013-01-05"],
        },
        rejected=_national(WORK),
    )
    # a rejection does not undo a criterion a person confirmed after all
    _family(clean, make, "T", confirmed=_national(CRIME, EDUCATION, WORK), rejected=_national(WORK))
    page = client.get(PAGE)
    assert _listed(page) == ["T", "S"]
    assert "1 identified family meets neither" in text(page)
    row = re.search(r'data-family="S".*?</tr>', page.get_data(as_text=True), re.S).group(0)
    assert 'data-status="rejected"' in row and "Rejected because: The police record is of another family" in text(page)
    rows = {r["family_ref"]: r for r in _csv(client.get(CSV))}
    assert (rows["S"]["suggested"], rows["S"]["rejected"]) == ("domestic_abuse", "work")
    assert rows["T"]["confirmed"] == "crime_asb;education;work" and rows["T"]["rejected"] == ""


def test_the_filters_keep_the_families_asked_for(client, coordinator, make, clean):
    _cohort(clean, make)
    assert _listed(client.get(PAGE, query_string={"programme": "phase2"})) == ["D"]
    assert _listed(client.get(PAGE, query_string={"group": "eligible"})) == ["B", "A"]
    assert _listed(client.get(PAGE, query_string={"group": "eligible_if_confirmed"})) == ["C", "D"]
    # a criterion confirmed or suggested, whichever the family holds
    assert _listed(client.get(PAGE, query_string={"criterion": "national:work"})) == ["B", "A", "C"]
    assert _listed(client.get(PAGE, query_string={"criterion": "local:deprived_area"})) == ["B"]
    both = client.get(PAGE, query_string={"criterion": "national:education", "group": "eligible_if_confirmed"})
    assert _listed(both) == ["C"]
    assert "1 identified family meets neither" in text(both)  # E: education, and nothing more
    # a value not offered (an edited address) is ignored, never an error
    assert _listed(
        client.get(PAGE, query_string={"criterion": "national:wizardry", "group": "9", "programme": "x"})
    ) == [
        "B",
        "A",
        "C",
        "D",
    ]


def test_sorting_keeps_the_groups_and_marks_the_sorted_column(client, coordinator, make, clean):
    _cohort(clean, make)
    by_ref = client.get(PAGE, query_string={"sort": "reference", "direction": "desc"})
    assert _listed(by_ref) == ["B", "A", "D", "C"]
    html = by_ref.get_data(as_text=True)
    assert re.search(r'aria-sort="descending">\s*<a[^>]*>Family', html)
    assert re.search(r'aria-sort="none">\s*<a[^>]*>Programme', html)
    # the header of the sorted column turns the order round
    assert 'href="/identification/?sort=reference&amp;direction=asc"' in html
    assert _listed(client.get(PAGE, query_string={"sort": "criteria", "direction": "asc"})) == ["A", "B", "D", "C"]
    assert _listed(client.get(PAGE, query_string={"sort": "identified", "direction": "desc"})) == ["A", "B", "C", "D"]
    assert _listed(client.get(PAGE, query_string={"sort": "programme", "direction": "desc"})) == ["A", "B", "D", "C"]


def test_the_list_comes_a_page_at_a_time_and_any_page_asked_for_is_a_real_one(client, coordinator, make, clean):
    for n in range(worklist.PAGE_SIZE + 5):
        _family(clean, make, f"P{n:03d}", confirmed=_national(CRIME, EDUCATION, WORK))
    first = client.get(PAGE)
    assert _listed(first) == [f"P{n:03d}" for n in range(worklist.PAGE_SIZE)]
    assert 'aria-label="Page 2"' in first.get_data(as_text=True)
    assert _listed(client.get(PAGE, query_string={"page": "2"})) == [f"P{n:03d}" for n in range(50, 55)]
    # past the last page, or not a page at all: the last page, or the first
    assert _listed(client.get(PAGE, query_string={"page": "99999999999"})) == _listed(client.get(PAGE))
    assert _listed(client.get(PAGE, query_string={"page": "9000"})) == [f"P{n:03d}" for n in range(50, 55)]
    assert _listed(client.get(PAGE, query_string={"page": "-1"}))[0] == "P000"


# --- the CSV -------------------------------------------------------------------------------------


def test_the_csv_holds_every_family_listed_with_its_criteria_and_evidence(client, coordinator, make, clean):
    _cohort(clean, make)
    rows = _csv(client.get(CSV))
    assert list(rows[0]) == list(worklist.CSV_COLUMNS)
    assert [r["family_ref"] for r in rows] == ["B", "A", "C", "D"]
    assert rows[0] == {
        "family_ref": "B",
        "programme": "phase1",
        "identified_on": "2013-01-01",
        "group": "eligible",
        "eligible": "true",
        "eligible_if_confirmed": "true",
        "confirmed": "crime_asb;deprived_area;work",
        "suggested": "",
        "rejected": "",
        "evidence": "",
    }
    c = rows[2]
    assert (c["group"], c["eligible"], c["eligible_if_confirmed"]) == ("eligible_if_confirmed", "false", "true")
    assert (c["confirmed"], c["suggested"]) == ("education", "crime_asb;work")
    assert c["evidence"] == "crime_asb: asb 2013-02-11 (police E123); work: ESA from 2012-01-01"


def test_the_csv_follows_the_filters_and_is_not_paged(client, coordinator, make, clean):
    for n in range(worklist.PAGE_SIZE + 3):
        _family(clean, make, f"P{n:03d}", confirmed=_national(CRIME, EDUCATION, WORK))
    _cohort(clean, make)
    assert len(_csv(client.get(CSV))) == worklist.PAGE_SIZE + 3 + 4
    assert [r["family_ref"] for r in _csv(client.get(CSV, query_string={"programme": "phase2"}))] == ["D"]
    only = _csv(client.get(CSV, query_string={"group": "eligible_if_confirmed", "sort": "reference", "page": "2"}))
    assert [r["family_ref"] for r in only] == ["C", "D"]
    # the page's link to the CSV carries its filters
    html = client.get(PAGE, query_string={"programme": "phase2", "page": "1"}).get_data(as_text=True)
    assert 'href="/identification/worklist.csv?programme=phase2"' in html


def test_a_cell_a_spreadsheet_would_run_is_plain_text_in_the_csv(client, coordinator, make, clean):
    _family(
        clean,
        make,
        "=HYPERLINK(1)",
        confirmed=_national(CRIME, EDUCATION),
        suggested={("national", WORK): ["@SUM(1+1)"]},
    )
    row = _csv(client.get(CSV))[0]
    assert row["family_ref"] == "'=HYPERLINK(1)"
    assert row["evidence"] == "work: @SUM(1+1)"  # not at the start of the cell


# --- who sees what -------------------------------------------------------------------------------


def test_a_lead_worker_sees_only_their_own_families(client, make, clean):
    worker, other = make.user("lead_worker"), make.user("lead_worker")
    _family(clean, make, "MINE", lead_worker_id=worker.id, confirmed=_national(CRIME, EDUCATION, WORK))
    _family(clean, make, "THEIRS", lead_worker_id=other.id, confirmed=_national(CRIME, EDUCATION, WORK))
    on_team = _family(clean, make, "TEAM", lead_worker_id=other.id, confirmed=_national(CRIME, EDUCATION, WORK))
    _family(clean, make, "NONE", lead_worker_id=other.id, confirmed=_national(CRIME))
    with clean.app_context():
        db.session.add(TafMember(family_id=on_team, name="Worker", user_id=worker.id, joined_on=date(2013, 1, 1)))
        db.session.commit()
    sign_in(client, worker.email)
    page = client.get(PAGE)
    assert _listed(page) == ["MINE", "TEAM"]
    assert "0 identified families meet neither" in text(page)
    assert [r["family_ref"] for r in _csv(client.get(CSV))] == ["MINE", "TEAM"]
    assert "Work out the suggestions" not in text(page)  # only a coordinator works them out


@pytest.mark.parametrize("role", ["lead_worker", "manager", "finance", "auditor", "admin"])
def test_only_a_coordinator_works_out_the_suggestions(client, make, clean, role):
    sign_in(client, make.user(role).email)
    assert client.get(PAGE).status_code == 200
    response = post(client, SUGGEST, {"as_of": ["14", "8", "2013"]})
    assert response.status_code == 403
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_navigation_takes_a_coordinator_to_the_worklist(client, coordinator):
    assert 'href="/identification/"' in client.get("/").get_data(as_text=True)


# --- working the suggestions out ----------------------------------------------------------------


def _with_evidence(app, make):
    """F001: a child's ASB (police E123) and a parent's ESA; education confirmed by a person."""
    family_id = _family(app, make, "F001", confirmed=_national(EDUCATION))
    with app.app_context():
        child = Member(
            family_id=family_id, person_ref="P1C", first_name="A", last_name="C", date_of_birth=date(2001, 5, 1)
        )
        parent = Member(
            family_id=family_id, person_ref="P1P", first_name="A", last_name="P", date_of_birth=date(1980, 5, 1)
        )
        db.session.add_all([child, parent])
        db.session.flush()
        db.session.add(Event(member_id=child.id, kind="asb", date=date(2013, 2, 11), source="police", reference="E123"))
        db.session.add(Spell(member_id=parent.id, kind="benefit", detail="ESA", start_date=date(2012, 1, 1)))
        db.session.commit()


def test_a_coordinator_works_out_the_suggestions_and_the_list_shows_them(client, coordinator, make, clean, monkeypatch):
    _with_evidence(clean, make)
    page = client.get(PAGE)
    assert _listed(page) == []
    assert "The suggestions have not been worked out yet" in text(page)
    today = worklist_views.today()
    assert f'id="as_of-day" name="as_of" type="text" value="{today:%d}"' in page.get_data(
        as_text=True
    )  # today unless changed
    # No worker in this test: the job runs here, as the command line runs it.
    monkeypatch.setattr(worklist_views, "start", lambda *a, **kw: start(*a, **{**kw, "queue": False}))
    response = submit(client, SUGGEST, {"as_of": ["14", "8", "2013"]}, form_url=PAGE)
    assert response.status_code == 302
    with clean.app_context():
        job = db.session.scalar(select(Job))
        assert (job.kind, job.params, job.state) == (JOB_KIND, {"as_of": "2013-08-14"}, "succeeded")
        assert job.started_by_id == coordinator.id
    assert response.headers["Location"] == f"/jobs/{job.id}"
    page = client.get(PAGE)
    assert _listed(page) == ["F001"]
    words = text(page)
    assert "on the evidence up to 14 Aug 2013: Finished" in words
    assert "Youth crime or anti-social behaviour suggested asb 2013-02-11 (police E123)" in words
    assert f'href="/jobs/{job.id}"' in page.get_data(as_text=True)


def test_starting_the_job_queues_it_for_a_worker(client, coordinator, make, clean):
    response = submit(client, SUGGEST, {"as_of": ["14", "8", "2013"]}, form_url=PAGE)
    assert response.status_code == 302
    with clean.app_context():
        job = db.session.scalar(select(Job))
        assert (job.kind, job.params["as_of"]) == (JOB_KIND, "2013-08-14")
        assert job.state in ("queued", "failed")  # waiting for a worker, or the queue said why not
    assert response.headers["Location"] == f"/jobs/{job.id}"
    assert "Suggestions last worked out" in text(client.get(PAGE))


@pytest.mark.parametrize(
    "as_of, said",
    [
        (["30", "2", "2013"], "Evidence up to must be a real date, like 31 7 2013"),
        (["1", "1", "0001"], "Evidence up to 0001-01-01 is before 1 January 1900"),
        (["", "", ""], "Enter the date to judge the criteria on"),
        (["14", "", "2013"], "Evidence up to must include a month"),
    ],
)
def test_a_bad_date_is_explained_and_starts_nothing(client, coordinator, make, clean, as_of, said):
    _cohort(clean, make)
    response = submit(client, SUGGEST, {"as_of": as_of}, form_url=PAGE)
    assert response.status_code == 200
    assert said in text(response)
    assert "There is a problem" in text(response)
    assert _listed(response) == ["B", "A", "C", "D"]  # the page, with the list as it was
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


# --- the SQL agrees with the rule ------------------------------------------------------------------

PROGRAMMES = ["phase1", "phase2", "supporting_families", "phase0"]
#: criteria a family may hold, of every kind, some that no rule counts
PAIRS = [
    *_national(CRIME, EDUCATION, WORK, "truancy"),
    ("local", "deprived_area"),
    ("local", "domestic_abuse"),
    ("problem", "crime_asb"),
    ("problem", "education"),
    ("problem", "health"),
    ("problem", "worklessness"),
]
#: how a family holds a criterion: which row of family_criteria, how many suggestions, rejected or not
HOLDINGS = st.tuples(
    st.sampled_from([None, CONFIRMED, IMPORTED, "confirmed_suggestion", "unconfirmed"]),
    st.integers(min_value=0, max_value=2),
    st.booleans(),
)
FAMILIES = st.lists(
    st.tuples(st.sampled_from(PROGRAMMES), st.dictionaries(st.sampled_from(PAIRS), HOLDINGS, max_size=len(PAIRS))),
    min_size=1,
    max_size=4,
)
_REFS = count()


def _agrees_with_the_rule(app, families) -> None:
    """Store the families, and check each one's group against `engine.eligible`."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.role == "coordinator"))
        expected, ids = {}, []
        for programme, held in families:
            family = Family(reference=f"H{next(_REFS):06d}", programme=programme, identified_on=date(2013, 1, 1))
            db.session.add(family)
            db.session.flush()
            ids.append(family.id)
            firm, possible = [], []
            for (kind, code), (row, suggestions, rejected) in held.items():
                if row in (CONFIRMED, IMPORTED):
                    db.session.add(FamilyCriterion(family_id=family.id, kind=kind, code=code, source=row))
                elif row is not None:
                    confirmed_at = datetime(2013, 9, 1) if row == "confirmed_suggestion" else None
                    db.session.add(
                        FamilyCriterion(
                            family_id=family.id, kind=kind, code=code, source=FROM_EVIDENCE, confirmed_at=confirmed_at
                        )
                    )
                for _ in range(suggestions):
                    db.session.add(
                        IdentificationSuggestion(family_id=family.id, kind=kind, code=code, evidence=["e"], as_of=AS_OF)
                    )
                if rejected:
                    db.session.add(
                        RejectedCriterion(
                            family_id=family.id, kind=kind, code=code, reason="no", evidence=[], rejected_by_id=user.id
                        )
                    )
                if row in (CONFIRMED, IMPORTED, "confirmed_suggestion"):
                    firm.append((kind, code))
                    possible.append((kind, code))
                elif suggestions and not rejected:
                    possible.append((kind, code))
            if engine.eligible(programme, firm):
                expected[family.reference] = worklist.ELIGIBLE
            elif engine.eligible(programme, possible):
                expected[family.reference] = worklist.IF_CONFIRMED
            else:
                expected[family.reference] = worklist.NEITHER
        db.session.flush()
        try:
            filters = worklist.WorklistFilters()
            listed = {row.reference: row.grp for row in db.session.execute(worklist.listing(user, filters))}
            assert listed == {ref: group for ref, group in expected.items() if group != worklist.NEITHER}
            neither = sum(1 for group in expected.values() if group == worklist.NEITHER)
            assert worklist.summary(user, filters).neither == neither
        finally:
            db.session.rollback()


# The property on SQLite (it is the same SQL on both); the example below runs on both databases.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(families=FAMILIES)
def test_the_sql_groups_agree_with_the_rule_for_any_criteria(clean, make, families):
    with clean.app_context():
        signed_up = db.session.scalar(select(User.id).where(User.role == "coordinator"))
    if signed_up is None:
        make.user("coordinator")
    _agrees_with_the_rule(clean, families)


def test_the_sql_groups_agree_with_the_rule_on_both_databases(clean, make):
    make.user("coordinator")
    none, one, two = (None, 0, False), (None, 1, False), (None, 1, True)
    _agrees_with_the_rule(
        clean,
        [
            ("phase1", {p: (CONFIRMED, 0, False) for p in _national(CRIME, EDUCATION, WORK)}),
            ("phase1", {**{p: (IMPORTED, 0, False) for p in _national(CRIME, EDUCATION)}, ("local", "x"): one}),
            (
                "phase1",
                {**{p: ("confirmed_suggestion", 0, False) for p in _national(CRIME, EDUCATION)}, ("local", "y"): two},
            ),
            ("phase1", {**{p: ("unconfirmed", 1, False) for p in _national(CRIME, EDUCATION, WORK)}}),
            (
                "phase1",
                {("national", "truancy"): (CONFIRMED, 0, False), **{p: one for p in _national(CRIME, EDUCATION)}},
            ),
            ("phase2", {("problem", "health"): (CONFIRMED, 2, True), ("problem", "crime_asb"): one}),
            ("phase2", {("problem", "health"): (CONFIRMED, 2, True), ("national", CRIME): one}),
            ("supporting_families", {p: (CONFIRMED, 0, False) for p in PAIRS if p[0] == "problem"}),
            ("supporting_families", {p: one for p in PAIRS if p[0] == "problem"}),
            ("phase0", {p: (CONFIRMED, 0, False) for p in PAIRS}),
            ("phase1", {("local", "deprived_area"): none}),
        ],
    )


def test_a_page_is_read_in_a_few_queries_whatever_the_number_of_families(clean, make):
    """The counts and the page are two queries, the page's criteria three more and their plans
    a few: never a query a family."""
    make.user("coordinator")
    for n in range(20):
        _family(
            clean, make, f"Q{n:02d}", confirmed=_national(CRIME, EDUCATION, WORK), suggested={("local", "x"): ["y"]}
        )
    with clean.app_context():
        user = db.session.scalar(select(User))
        statements = []

        def seen(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            found = worklist.page(user, worklist.WorklistFilters())
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        assert [row.reference for row in found.rows] == [f"Q{n:02d}" for n in range(20)]
        assert len(statements) < 10, statements
