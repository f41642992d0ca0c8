"""The one scoping function for family data.

Every list, search, page and export of families starts from `visible_families(user)`, so
no view can forget whose families a user may see. Lead workers see the families they lead;
the other roles work across the programme.
"""

from sqlalchemy import Select, false, select

from tff.auth import roles
from tff.cases.models import Family

#: roles that see every family; any role not named here sees only its own
PROGRAMME_WIDE = frozenset({roles.COORDINATOR, roles.FINANCE, roles.MANAGER, roles.AUDITOR, roles.ADMIN})


def visible_families(user) -> Select:
    query = select(Family)
    if user is None or not user.is_authenticated or not user.is_active:
        return query.where(false())
    if user.role in PROGRAMME_WIDE:
        return query
    return query.where(Family.lead_worker_id == user.id)
