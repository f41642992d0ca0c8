"""Every model, imported once so Alembic and the relationships see them all."""

from tff.audit.models import AuditEntry  # noqa: F401
from tff.auth.models import User  # noqa: F401
from tff.cases.models import (  # noqa: F401
    Family,
    FamilyCriterion,
    FamilyStatusChange,
    LeadWorkerAssignment,
    Member,
    TafMember,
    Team,
)
from tff.jobs.models import Job  # noqa: F401
