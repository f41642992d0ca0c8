"""The sections of a family's case, shown as the family page's sub-navigation.

(label, endpoint) in order; each endpoint takes the family's `reference`.
"""

from flask_login import current_user

from tff.cases import need_to_know

SECTIONS = [
    ("Overview", "cases.show"),
    ("Family CAF", "caf.index"),
    ("Action plan", "caf.plan"),
    ("Meetings and reviews", "caf.meetings"),
    ("Notes", "progress.notes"),
    ("Referrals", "referrals.index"),
    ("Evidence", "family_evidence.index"),
    ("Results", "family_results.index"),
    ("Verified outcomes", "verified_outcomes.index"),
    ("Timeline", "progress.timeline"),
]


def family_sections() -> list[tuple[str, str, bool]]:
    """(label, endpoint, whether the signed-in user's role reads it) of each section: one it
    does not read is still listed, and opens only by breaking the glass."""
    role = current_user.role if current_user.is_authenticated else None
    return [
        (label, endpoint, need_to_know.may_read(role, need_to_know.section_of(endpoint)))
        for label, endpoint in SECTIONS
    ]
