"""Evidence on the family's timeline: its members' events, spells and school terms, and only
its own members'."""

import re
from html import unescape

from tests.helpers import sign_in
from tests.imports_support import attendance_csv, cohort, events_csv, run_import, spells_csv


def _titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    found = re.findall(r'<h3 class="govuk-heading-s tff-timeline__title">(.*?)</h3>', html, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", t)).split()) for t in found]


def test_evidence_joins_the_family_timeline(client, make, clean):
    cohort(clean)
    run_import(
        clean,
        "events",
        events_csv(
            {"person_ref": "F001-02", "kind": "fixed_exclusion", "date": "2013-02-01", "detail": "3 days"},
            {"person_ref": "F002-01", "kind": "offence", "date": "2013-02-02"},  # another family's
        ),
    )
    run_import(
        clean,
        "spells",
        spells_csv(
            {
                "person_ref": "F001-01",
                "kind": "benefit",
                "detail": "JSA",
                "start_date": "2012-10-01",
                "end_date": "2013-03-01",
            }
        ),
    )
    run_import(
        clean,
        "attendance",
        attendance_csv(
            {
                "person_ref": "F001-02",
                "academic_year": "2012/13",
                "term": "autumn",
                "possible_sessions": "140",
                "unauthorised_absence_sessions": "14",
            }
        ),
    )
    sign_in(client, make.user("coordinator").email)
    response = client.get("/families/F001/timeline")
    assert _titles(response) == [
        "Benefit JSA ended: Amy Smith",
        "Fixed-term exclusion: Liam Smith",
        "Case identified",
        "School attendance, autumn term 2012/13: Liam Smith",
        "Benefit JSA started: Amy Smith",
    ]
    page = unescape(response.get_data(as_text=True))
    assert "90.0% attendance: 14 of 140 sessions missed, 14 unauthorised" in page
    assert "3 days" in page
    assert _titles(client.get("/families/F001/timeline?kind=spell")) == [
        "Benefit JSA ended: Amy Smith",
        "Benefit JSA started: Amy Smith",
    ]
    assert _titles(client.get("/families/F002/timeline")) == ["Offence: Amy Smith", "Case identified"]
