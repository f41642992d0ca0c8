"""The identification settings an administrator holds (identification.md): which absence the
education criterion counts, and the council's own local filters. Each is set on one page,
audited, and read wherever a criterion is suggested, recorded, imported or filtered on."""

import inspect
import json
import re
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.case_work import audit_entries, error_summary, member, post, sign_in_as, text
from tests.helpers import Maker, sign_in, submit
from tests.imports_support import families_csv, family, run_import
from tff.cases.models import Family, FamilyCriterion
from tff.cases.models.identification import CONFIRMED, IMPORTED
from tff.evidence.models import AttendanceRecord
from tff.evidence.settings import EvidenceSetting
from tff.extensions import db
from tff.identification.settings import (
    LOCAL_FILTERS_KEY,
    SettingRefused,
    absence_setting,
    local_filters,
    parse_local_filters,
)
from tff.timeutil import utcnow

PAGE = "/admin/identification/"
AS_OF = "2013-08-15"
ROTHERHAM = [
    "deprived_area: Lives in a deprived area",
    "benefit_cap: Affected by the benefit cap",
    "adult_mental_health: Poor adult mental health",
    "domestic_abuse: Domestic abuse",
    "substance_misuse: Alcohol or substance misuse",
]
#: the council's list with a filter of its own added and the benefit cap taken off
WITH_YOUNG_CARERS = "\n".join(
    [*(line for line in ROTHERHAM if not line.startswith("benefit_cap")), "young_carer: A young carer in the family"]
)


@pytest.fixture
def admin(client, make):
    user = make.user("admin")
    sign_in(client, user.email)
    return user


def _save(client, absence="unauthorised", filters="\n".join(ROTHERHAM)):
    return submit(client, PAGE, {"absence": absence, "local_filters": filters})


def _identify(app, ref="F001") -> dict:
    """The family's entry of `flask identify --json`."""
    mixes = "mix_stderr" in inspect.signature(CliRunner.__init__).parameters
    runner = app.test_cli_runner(mix_stderr=False) if mixes else app.test_cli_runner()
    result = runner.invoke(args=["identify", "--as-of", AS_OF, "--family", ref, "--json"])
    assert result.exit_code == 0, result.output
    [found] = json.loads(result.stdout)
    return found


def _absent_pupil(app) -> None:
    """F001: a child absent 10% of sessions without permission and 6% with it, in each of the
    last 3 terms before 15 August 2013: 16% absent in all."""
    made = Maker(app).family("F001", identified_on=date(2013, 1, 1))
    child = member(app, made.id, "Casey", "Child", date(2003, 5, 1), relationship="son", ref="F001-02")
    with app.app_context():
        for term in ("autumn", "spring", "summer"):
            db.session.add(
                AttendanceRecord(
                    member_id=child,
                    academic_year="2012/13",
                    term=term,
                    possible=100,
                    unauthorised=10,
                    authorised=6,
                    school="",
                )
            )
        db.session.commit()


def test_counting_all_absence_suggests_education_for_a_child_below_85_percent_attendance(client, clean, admin):
    _absent_pupil(clean)
    assert _identify(clean)["suggested"] == []  # 10% unauthorised: under the framework's 15%

    done = _save(client, absence="all")
    assert done.status_code == 302
    found = _identify(clean)
    assert found["suggested"] == ["education"]
    assert found["evidence"]["education"] == ["absence 16% over autumn 2012, spring 2013, summer 2013"]
    [(summary, before, after, user_id)] = audit_entries(clean, "identification.absence")
    assert "all absence" in summary
    assert (before, after, user_id) == ({"absence": "unauthorised"}, {"absence": "all"}, admin.id)
    # the filters were left as they were: nothing recorded of them
    assert audit_entries(clean, "identification.local_filters") == []

    assert _save(client, absence="unauthorised").status_code == 302
    assert _identify(clean)["suggested"] == []
    assert [entry[2] for entry in audit_entries(clean, "identification.absence")] == [
        {"absence": "all"},
        {"absence": "unauthorised"},
    ]
    # saving what is already held changes nothing and records nothing
    assert _save(client, absence="unauthorised").status_code == 302
    assert len(audit_entries(clean, "identification.absence")) == 2


def test_the_page_shows_the_current_settings_and_the_evidence_settings_link_to_it(client, clean, admin):
    page = text(client.get(PAGE))
    assert "Unauthorised absence only" in page and "All absence" in page
    assert "families that hold it keep it" in page
    assert "eligible only when it meets all three national criteria" in page
    html = client.get(PAGE).get_data(as_text=True)
    assert re.search(r'value="unauthorised"\s+checked|checked[^>]*value="unauthorised"', html)
    assert "deprived_area: Lives in a deprived area\nbenefit_cap: Affected by the benefit cap" in html

    settings = client.get("/admin/evidence/")
    words = text(settings)
    assert "Identification" in words and "Unauthorised absence only" in words
    assert "Lives in a deprived area" in words and "Alcohol or substance misuse" in words
    assert f'href="{PAGE}"' in settings.get_data(as_text=True)

    _save(client, absence="all", filters=WITH_YOUNG_CARERS)
    words = text(client.get("/admin/evidence/"))
    assert "All absence" in words and "A young carer in the family" in words
    assert "Affected by the benefit cap" not in words
    assert "young_carer: A young carer in the family" in client.get(PAGE).get_data(as_text=True)


def test_only_an_administrator_holds_the_settings(client, clean, make):
    sign_in(client, make.user("admin").email)
    for role in ("coordinator", "manager", "lead_worker", "auditor", "finance"):
        sign_in_as(client, make.user(role))
        assert client.get(PAGE).status_code == 403, role
        assert post(client, PAGE, {"absence": "all", "local_filters": ""}).status_code == 403, role
    with clean.app_context():
        assert db.session.scalars(select(EvidenceSetting)).all() == []
        assert absence_setting() == "unauthorised"


def test_bad_filter_lines_are_refused_each_with_its_line_and_nothing_is_kept(client, clean, admin):
    lines = [
        "deprived_area: Lives in a deprived area",
        "Young Carer: Looks after someone",
        "",
        "benefit_cap",
        "deprived_area: Lives somewhere else",
        "substance_misuse:   ",
        f"{'x' * 41}: A code too long",
    ]
    refused = _save(client, absence="all", filters="\n".join(lines))
    assert refused.status_code == 400
    said = error_summary(refused)
    assert "Line 2: the code “Young Carer” must have only lower-case letters, digits and underscores" in said
    assert "Line 4: write the code, a colon, then the title" in said
    assert "Line 5: the code deprived_area is on line 1 already" in said
    assert "Line 6: enter a title after the colon" in said
    assert "Line 7: the code “" in said and "is longer than 40 characters" in said
    assert "Line 1" not in said and "Line 3" not in said
    # the absence was right, but neither setting is kept when one is wrong
    with clean.app_context():
        assert db.session.scalars(select(EvidenceSetting)).all() == []
    assert audit_entries(clean, "identification.absence") == []

    nothing_chosen = submit(client, PAGE, {"local_filters": "\n".join(ROTHERHAM)})
    assert nothing_chosen.status_code == 400
    assert "Choose which absence counts" in error_summary(nothing_chosen)


def test_the_filter_list_parses_one_code_and_title_a_line():
    assert parse_local_filters("\n a_1 :  Title: with a colon  \n\n2nd: Second\n") == {
        "a_1": "Title: with a colon",
        "2nd": "Second",
    }
    assert parse_local_filters("   \n") == {}
    with pytest.raises(SettingRefused) as refused:
        parse_local_filters(f"ok: {'t' * 121}\n" + "\n".join(f"Bad{n}: x" for n in range(6)))
    said = refused.value.problems["local_filters"]
    assert said.startswith("Line 1: the title must be 120 characters or fewer (it has 121)")
    assert said.endswith("; and 2 more lines")


def test_an_empty_list_is_allowed_and_then_no_local_criteria_can_be_imported(client, clean, admin):
    assert _save(client, filters="").status_code == 302
    with clean.app_context():
        assert local_filters() == {}
    [(summary, before, after, _)] = audit_entries(clean, "identification.local_filters")
    assert summary == "Local filters set to none"
    assert before["filters"][0] == "deprived_area: Lives in a deprived area" and after == {"filters": []}
    assert "eligible only when it meets all three national criteria" in text(client.get("/admin/evidence/"))
    result = run_import(clean, "families", families_csv(family("F001", local_criteria="deprived_area")))
    assert result.accepted == 0 and "deprived_area" in result.rejections[2][0]


def test_a_filter_the_council_adds_can_be_recorded_and_makes_two_national_criteria_enough(
    client, clean, make, admin, suggested
):
    assert _save(client, filters=WITH_YOUNG_CARERS).status_code == 302
    [(summary, before, after, user_id)] = audit_entries(clean, "identification.local_filters")
    assert summary.startswith("Local filters set to deprived_area, adult_mental_health") and "young_carer" in summary
    assert "benefit_cap: Affected by the benefit cap" in before["filters"]
    assert "young_carer: A young carer in the family" in after["filters"]
    assert user_id == admin.id

    sign_in_as(client, make.user("coordinator"))
    for code in ("crime_asb", "education"):
        assert post(client, f"/families/F001/criteria/national/{code}/confirm").status_code == 302
    url = "/families/F001/criteria/record"
    form = text(client.get(url))
    assert "Local filters: A young carer in the family" in form
    assert "Affected by the benefit cap" not in form
    done = submit(client, url, {"criteria": ["local:young_carer"], "note": "School nurse's referral, 2 May 2013"})
    assert done.status_code == 302
    with clean.app_context():
        held = db.session.scalar(select(FamilyCriterion).where(FamilyCriterion.code == "young_carer"))
        assert (held.kind, held.source, held.note) == ("local", CONFIRMED, "School nurse's referral, 2 May 2013")
    [(summary, *_)] = audit_entries(clean, "family.criterion.record", "F001")
    assert "Recorded “A young carer in the family” for family F001" in summary
    page = text(client.get("/families/F001"))
    assert "Eligible for Phase one (2012) on its confirmed criteria" in page
    assert "A young carer in the family" in page

    # the family list's criterion filter offers it, and finds the family by it
    listing = client.get("/families/?criterion=local:young_carer").get_data(as_text=True)
    assert '<option value="local:young_carer" selected>A young carer in the family</option>' in listing
    assert 'value="local:benefit_cap"' not in listing
    assert re.findall(r">(F\d{3})</a>", listing) == ["F001"]


def test_a_filter_taken_off_the_list_stays_with_the_families_that_hold_it(client, clean, make, admin, suggested):
    with clean.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == "F001"))
        db.session.add(
            FamilyCriterion(
                family_id=family_id, kind="local", code="benefit_cap", source=CONFIRMED, confirmed_at=utcnow()
            )
        )
        db.session.commit()
    assert _save(client, filters=WITH_YOUNG_CARERS).status_code == 302
    sign_in_as(client, make.user("coordinator"))
    for code in ("crime_asb", "education"):
        post(client, f"/families/F001/criteria/national/{code}/confirm")
    page = text(client.get("/families/F001"))
    # still held, under its old title, and still counting
    assert "Affected by the benefit cap" in page
    assert "Eligible for Phase one (2012) on its confirmed criteria" in page
    with clean.app_context():
        assert db.session.scalar(select(FamilyCriterion.id).where(FamilyCriterion.code == "benefit_cap"))


def test_the_import_takes_the_councils_filters_and_still_refuses_an_unknown_code(client, clean, admin):
    before = run_import(clean, "families", families_csv(family("F001", local_criteria="young_carer")))
    assert before.accepted == 0 and "young_carer" in before.rejections[2][0]

    assert _save(client, filters=WITH_YOUNG_CARERS).status_code == 302
    rows = families_csv(
        family("F001", local_criteria="young_carer;deprived_area"),
        family("F002", local_criteria="Young_Carer ; wizardry"),
        family("F003", local_criteria="benefit_cap"),
    )
    result = run_import(clean, "families", rows)
    assert result.accepted == 1
    assert sorted(result.rejections) == [3, 4]
    assert "unknown code" in result.rejections[3][0] and "wizardry" in result.rejections[3][0]
    assert "young_carer" in result.rejections[3][0]  # the codes it may give are named
    assert "benefit_cap" in result.rejections[4][0]  # off the list: no longer imported
    with clean.app_context():
        family_id = db.session.scalar(select(Family.id).where(Family.reference == "F001"))
        held = {
            (c.code, c.source)
            for c in db.session.scalars(select(FamilyCriterion).where(FamilyCriterion.family_id == family_id))
        }
        assert held == {("young_carer", IMPORTED), ("deprived_area", IMPORTED)}
        # two national criteria a person confirmed, beside the imported young carer: eligible
        now = utcnow()
        for code in ("crime_asb", "work"):
            db.session.add(
                FamilyCriterion(family_id=family_id, kind="national", code=code, source=CONFIRMED, confirmed_at=now)
            )
        db.session.execute(
            FamilyCriterion.__table__.delete().where(
                FamilyCriterion.family_id == family_id, FamilyCriterion.code == "deprived_area"
            )
        )
        db.session.commit()
    sign_in_as(client, Maker(clean).user("coordinator"))
    page = text(client.get("/families/F001"))
    assert "Eligible for Phase one (2012) on its confirmed criteria" in page
    assert "A young carer in the family" in page


def test_the_setting_read_accepts_a_plain_value_and_ignores_one_it_does_not_know(clean):
    with clean.app_context():
        db.session.add(EvidenceSetting(key="identification_absence", value="all"))
        db.session.add(EvidenceSetting(key=LOCAL_FILTERS_KEY, value=[["young_carer", "Young carers"], ["bad"], 3]))
        db.session.commit()
        assert absence_setting() == "all"
        assert local_filters() == {"young_carer": "Young carers"}
        db.session.get(EvidenceSetting, "identification_absence").value = {"absence": "sometimes"}
        db.session.commit()
        assert absence_setting() == "unauthorised"
