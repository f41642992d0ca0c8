"""The case models, one module per aggregate."""

from tff.cases.models.family import (  # noqa: F401
    ATTACHED,
    CLOSED,
    CLOSURE_REASONS,
    IDENTIFIED,
    PROGRAMMES,
    STATUSES,
    Family,
    FamilyStatusChange,
)
from tff.cases.models.identification import CRITERIA, FamilyCriterion  # noqa: F401
from tff.cases.models.member import Member  # noqa: F401
from tff.cases.models.workers import LeadWorkerAssignment, TafMember, Team  # noqa: F401
