"""The access log (who viewed which family) and the retention setting.

A view is logged on a connection of its own, committed at once: a page that only reads never
commits its session, and a view that fails after loading the family has still shown it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import has_request_context, request
from sqlalchemy import and_, false, insert, or_, select

from tff.audit.operations import record
from tff.auth.models import User
from tff.cases.models import Family
from tff.extensions import db
from tff.privacy.models import FamilyView, RetentionPeriod
from tff.problems import Refused
from tff.timeutil import LONDON, utcnow

#: downloads that hold many families' personal data, logged with no one family
FAMILY_DATA_DOWNLOADS = frozenset(
    {"claims.lines_csv", "claim_packs.download", "imports.raw_file", "imports.rejections_csv", "cases.index_csv"}
)

CLOSED_FAMILIES = "closed_families"
#: six years after closure unless an administrator sets otherwise
DEFAULT_YEARS = 6
MIN_YEARS, MAX_YEARS = 1, 25
PAGE_SIZE = 50
CSV_COLUMNS = ["Viewed at (UTC)", "User", "Email", "Family", "Page", "Broke the glass to open", "Reason"]


class SettingRefused(Refused):
    """The setting cannot be saved."""


# --- writing the log ---------------------------------------------------------------------------


def _write(user_id: int, family_id: int | None, endpoint: str | None, section: str | None = None) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            insert(FamilyView).values(
                user_id=user_id,
                family_id=family_id,
                endpoint=(endpoint or "")[:80],
                viewed_at=utcnow(),
                section=section,
            )
        )


def log_view(user, family: Family, section: str | None = None) -> None:
    """Record that `user` has just been shown `family`'s data, on the current page (`section`:
    one the user's role does not read, opened by breaking the glass)."""
    _write(user.id, family.id, request.endpoint if has_request_context() else None, section)


def log_download(response):
    """After a request: a successful download of many families' data is logged too."""
    from flask_login import current_user

    if request.endpoint in FAMILY_DATA_DOWNLOADS and response.status_code == 200 and current_user.is_authenticated:
        _write(current_user.id, None, request.endpoint)
    return response


# --- reading the log ---------------------------------------------------------------------------


def _utc(day: date, end: bool = False) -> datetime:
    """The UTC instant where a UK local day starts (or, with `end`, where the next one starts)."""
    local = datetime.combine(day + timedelta(days=1) if end else day, time.min, LONDON)
    return local.astimezone(UTC).replace(tzinfo=None)


@dataclass
class LogFilters:
    family: str = ""
    user: str = ""
    date_from: date | None = None
    date_to: date | None = None


def views_query(filters: LogFilters):
    """The log rows matching the filters, newest first, with who and which family.

    Each filter narrows through an index: the family by its id, the user by the ids of the
    users whose email matches, the dates on `viewed_at`."""
    query = (
        select(
            FamilyView.id,
            FamilyView.viewed_at,
            FamilyView.endpoint,
            FamilyView.section,
            FamilyView.reason,
            User.name,
            User.email,
            Family.reference,
        )
        .join(User, User.id == FamilyView.user_id)
        .outerjoin(Family, Family.id == FamilyView.family_id)
        .order_by(FamilyView.viewed_at.desc(), FamilyView.id.desc())
    )
    if filters.family:
        family_id = db.session.scalar(select(Family.id).where(Family.reference == filters.family.strip()))
        # an unknown reference matches nothing (not the downloads, whose family is empty)
        query = query.where(FamilyView.family_id == family_id if family_id is not None else false())
    if filters.user:
        users = select(User.id).where(User.email.contains(filters.user.strip().lower(), autoescape=True))
        query = query.where(FamilyView.user_id.in_(users))
    if filters.date_from:
        query = query.where(FamilyView.viewed_at >= _utc(filters.date_from))
    if filters.date_to:
        query = query.where(FamilyView.viewed_at < _utc(filters.date_to, end=True))
    return query


def page_of_views(filters: LogFilters, before: tuple[datetime, int] | None = None):
    """One page of the log and whether there are older rows. Keyset paging on (time, id):
    each page is as quick as the first, however deep."""
    query = views_query(filters)
    if before:
        at, last_id = before
        query = query.where(or_(FamilyView.viewed_at < at, and_(FamilyView.viewed_at == at, FamilyView.id < last_id)))
    rows = db.session.execute(query.limit(PAGE_SIZE + 1)).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def csv_rows(filters: LogFilters):
    yield CSV_COLUMNS
    for row in db.session.execute(views_query(filters).execution_options(yield_per=1000)):
        yield [
            row.viewed_at.isoformat(sep=" ", timespec="seconds"),
            row.name,
            row.email,
            row.reference or "",
            row.endpoint,
            (row.section or "").replace("_", " "),
            row.reason or "",
        ]


# --- the retention setting ---------------------------------------------------------------------


def retention_years() -> int:
    years = db.session.scalar(select(RetentionPeriod.years).where(RetentionPeriod.kind == CLOSED_FAMILIES))
    return years if years is not None else DEFAULT_YEARS


def set_retention_years(years: int | None, user) -> int:
    if years is None or not MIN_YEARS <= years <= MAX_YEARS:
        raise SettingRefused({"years": f"Enter a whole number of years from {MIN_YEARS} to {MAX_YEARS}"})
    before = retention_years()
    setting = db.session.get(RetentionPeriod, CLOSED_FAMILIES)
    if setting is None:
        setting = RetentionPeriod(kind=CLOSED_FAMILIES)
        db.session.add(setting)
    setting.years, setting.updated_by_id = years, user.id if user else None
    record(
        "privacy.retention_period",
        "retention_period",
        CLOSED_FAMILIES,
        f"Personal data of closed families is now kept for {years} years after closure",
        {"years": before},
        {"years": years},
        user=user,
    )
    db.session.commit()
    return years
