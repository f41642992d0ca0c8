"""Every model, imported once so Alembic and the relationships see them all."""

from tff.audit.models import AuditEntry  # noqa: F401
from tff.auth.models import User  # noqa: F401
from tff.cases.caf.models import (  # noqa: F401
    Action,
    ActionUpdate,
    Assessment,
    AssessmentScore,
    CafConsent,
    CaseReview,
    Priority,
    Screening,
    TafMeeting,
)
from tff.cases.models import (  # noqa: F401
    Family,
    FamilyCriterion,
    FamilyStatusChange,
    LeadWorkerAssignment,
    Member,
    TafMember,
    Team,
)
from tff.cases.progress.models import CaseNote  # noqa: F401
from tff.cases.referrals.models import CareLevelChange, Provider, Referral, ReferralTransition  # noqa: F401
from tff.cases.signoff.models import SignOff  # noqa: F401
from tff.claims.models import ClaimBatch, ClaimEvidence, ClaimLine, ClaimWindow, Payment  # noqa: F401
from tff.claims.spot_checks.models import SpotCheck, SpotCheckFamily  # noqa: F401
from tff.evidence.models import AttendanceRecord, Event, Spell, UnmatchedRow  # noqa: F401
from tff.evidence.settings import EvidenceKind, EvidenceSetting, TermCalendar  # noqa: F401
from tff.evidence.staging import StagedAttendance, StagedEvent, StagedSpell  # noqa: F401
from tff.funding.models import AttachmentFeeReceipt, ProgrammeEnd  # noqa: F401
from tff.funding.spending import SpendingLine  # noqa: F401
from tff.identification.models import IdentificationSuggestion, RejectedCriterion  # noqa: F401
from tff.imports.models import ImportFileChunk, ImportRejection, ImportRun  # noqa: F401
from tff.jobs.models import Job  # noqa: F401
from tff.outcomes.models import Evaluation, EvaluationChunk, OutcomeDecision, UndecidedFamily  # noqa: F401
from tff.outcomes.plan_versions.models import OutcomePlanVersion  # noqa: F401
from tff.outcomes.verified.models import VerifiedOutcome  # noqa: F401
from tff.privacy.models import FamilyView, RetentionPeriod  # noqa: F401
