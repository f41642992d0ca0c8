"""What is overdue in the families' plans, asked of many families at once.

An action is overdue when it is not started or in progress and its due date has passed. A
family's review is overdue when a meeting or review set a next review date that has passed
and no meeting or review was held after it. Only open cases (not closed) have anything
overdue. Every function takes the families to look at as a query (from the scoping function),
so the lists never show a family the user may not see.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, exists, func, select, union_all

from tff.auth import roles
from tff.cases.access import visible_families
from tff.cases.caf.models import OPEN_ACTION_STATUSES, Action, CaseReview, TafMeeting
from tff.cases.models import CLOSED, Family
from tff.extensions import db


def _open_family_ids(families: Select):
    scoped = families.subquery()
    return select(scoped.c.id).where(scoped.c.status != CLOSED)


def overdue_actions(families: Select, today: date, limit: int | None = None) -> list[Action]:
    query = (
        select(Action)
        .where(
            Action.family_id.in_(_open_family_ids(families)),
            Action.status.in_(OPEN_ACTION_STATUSES),
            Action.due_on < today,
        )
        .order_by(Action.due_on, Action.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return db.session.scalars(query).all()


def count_overdue_actions(families: Select, today: date) -> int:
    return db.session.scalar(
        select(func.count(Action.id)).where(
            Action.family_id.in_(_open_family_ids(families)),
            Action.status.in_(OPEN_ACTION_STATUSES),
            Action.due_on < today,
        )
    )


def reviews_due(families: Select, today: date) -> dict[int, date]:
    """The families whose review is overdue, each with the date it was due."""
    events = union_all(
        select(TafMeeting.family_id, TafMeeting.held_on.label("held_on"), TafMeeting.next_review_on.label("next_on")),
        select(CaseReview.family_id, CaseReview.reviewed_on, CaseReview.next_review_on),
    ).cte("review_events")
    later = events.alias("later_events")
    rows = db.session.execute(
        select(events.c.family_id, func.min(events.c.next_on))
        .where(
            events.c.family_id.in_(_open_family_ids(families)),
            events.c.next_on < today,
            ~exists().where(later.c.family_id == events.c.family_id, later.c.held_on > events.c.held_on),
        )
        .group_by(events.c.family_id)
    ).all()
    return {family_id: due for family_id, due in rows}


@dataclass
class FamilyOverdue:
    actions: list
    review_due: date | None

    def __bool__(self) -> bool:
        return bool(self.actions or self.review_due)


def for_family(family: Family, today: date | None = None) -> FamilyOverdue:
    """What is overdue in one family's plan (the family was found through the scoping function)."""
    today = today or date.today()
    one = select(Family).where(Family.id == family.id)
    return FamilyOverdue(overdue_actions(one, today), reviews_due(one, today).get(family.id))


@dataclass
class OverdueRow:
    family: Family
    what: str
    due_on: date
    url_endpoint: str


def for_user(user, today: date | None = None, limit: int = 25) -> tuple[list[OverdueRow], int]:
    """The overdue actions and reviews a user should chase, oldest first: a lead worker's in
    the families they lead, a coordinator's across the families they may see. Returns the
    first `limit` rows and how many there are in all."""
    today = today or date.today()
    families = visible_families(user)
    if user.role == roles.LEAD_WORKER:
        families = families.where(Family.lead_worker_id == user.id)
    due = reviews_due(families, today)
    actions = overdue_actions(families, today, limit=limit)
    by_id = {
        f.id: f
        for f in db.session.scalars(select(Family).where(Family.id.in_({a.family_id for a in actions} | set(due))))
    }
    rows = [OverdueRow(by_id[a.family_id], a.description, a.due_on, "caf.plan") for a in actions]
    rows += [OverdueRow(by_id[family_id], "Review", on, "caf.meetings") for family_id, on in due.items()]
    rows.sort(key=lambda r: (r.due_on, r.family.reference))
    total = count_overdue_actions(families, today) + len(due)
    return rows[:limit], total
