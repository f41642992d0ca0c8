"""Breaking the glass: opening a section of a family that one's role does not read.

In an emergency a finance officer may need a family's case notes, or an administrator its
Family CAF. The product does not stop them, but it makes them say why: the reason is written
to the access log, marked, and listed for the administrators, and the section stays open to
that user for that family for an hour. Every page seen through the broken glass is marked in
the log with the section it opened.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from tff.audit.operations import record
from tff.auth.models import User
from tff.cases.models import Family
from tff.extensions import db
from tff.privacy.models import FamilyView
from tff.problems import Refused
from tff.timeutil import utcnow

#: how long a broken glass stays open to its user, for its family and section
OPEN_FOR = timedelta(hours=1)
#: the endpoint the breaking itself is logged under
ENDPOINT = "break_glass.open_section"
REASON_MIN, REASON_MAX = 10, 1000


def is_open(user, family: Family, section: str) -> bool:
    """Whether the user broke the glass of this family's section within the last hour."""
    return (
        db.session.scalar(
            select(FamilyView.id)
            .where(
                FamilyView.user_id == user.id,
                FamilyView.family_id == family.id,
                FamilyView.section == section,
                FamilyView.reason.is_not(None),
                FamilyView.viewed_at >= utcnow() - OPEN_FOR,
            )
            .limit(1)
        )
        is not None
    )


def open_section(user, family: Family, section: str, reason: str | None) -> FamilyView:
    """Break the glass: log it with the reason (and audit it, in the same transaction)."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise Refused({"reason": f"Say why you need to open it, in at least {REASON_MIN} characters"})
    if len(reason) > REASON_MAX:
        raise Refused({"reason": f"The reason must be {REASON_MAX:,} characters or fewer"})
    view = FamilyView(user_id=user.id, family_id=family.id, endpoint=ENDPOINT, section=section, reason=reason)
    db.session.add(view)
    db.session.flush()
    record(
        "family.break_glass",
        "family",
        family.id,
        f"{user.name} broke the glass to open the {section.replace('_', ' ')} of family {family.reference}: {reason}",
        None,
        {"section": section, "reason": reason},
        user=user,
    )
    db.session.commit()
    return view


@dataclass(frozen=True)
class Broken:
    at: datetime
    user: str
    role: str
    family: str
    section: str
    reason: str


def recent(limit: int = 200) -> list[Broken]:
    """The glass broken, newest first: for the administrators."""
    rows = db.session.execute(
        select(FamilyView.viewed_at, User.name, User.role, Family.reference, FamilyView.section, FamilyView.reason)
        .join(User, User.id == FamilyView.user_id)
        .join(Family, Family.id == FamilyView.family_id)
        .where(FamilyView.reason.is_not(None))
        .order_by(FamilyView.viewed_at.desc(), FamilyView.id.desc())
        .limit(limit)
    )
    return [Broken(*row) for row in rows]
