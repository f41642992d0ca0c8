"""The one scoping function for family data.

Every list, search, page and export of families starts from `visible_families(user)`, so
no view can forget whose families a user may see. Lead workers see the families they lead
and those whose Team Around the Family they are on; the other roles work across the
programme.
"""

from flask import abort
from sqlalchemy import Select, false, or_, select

from tff.auth import roles
from tff.cases.models import Family, TafMember
from tff.extensions import db
from tff.privacy.operations import log_view

#: roles that see every family; any role not named here sees only its own
PROGRAMME_WIDE = frozenset({roles.COORDINATOR, roles.FINANCE, roles.MANAGER, roles.AUDITOR, roles.ADMIN})


def visible_families(user) -> Select:
    query = select(Family)
    if user is None or not user.is_authenticated or not user.is_active:
        return query.where(false())
    if user.role in PROGRAMME_WIDE:
        return query
    on_taf = select(TafMember.family_id).where(TafMember.user_id == user.id, TafMember.left_on.is_(None))
    return query.where(or_(Family.lead_worker_id == user.id, Family.id.in_(on_taf)))


def get_family_or_404(user, reference: str) -> Family:
    """The family with this reference, if the user may see it; 404 otherwise (never 403,
    which would confirm that the family exists)."""
    family = db.session.scalar(visible_families(user).where(Family.reference == reference))
    if family is None:
        abort(404)
    # Here, and only once the family is found: every page of a family is logged, a refusal is not.
    log_view(user, family)
    return family
