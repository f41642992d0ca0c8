"""The sections of a family's case, shown as the family page's sub-navigation.

(label, endpoint) in order; each endpoint takes the family's `reference`.
"""

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
