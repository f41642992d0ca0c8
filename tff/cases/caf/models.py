from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tff.extensions import db
from tff.timeutil import utcnow

# --- Consent -------------------------------------------------------------------------------

#: the agencies a family may agree to share information with
AGENCIES = {
    "schools": "Schools and education services",
    "health": "Health services (GP, health visitor, school nurse, CAMHS)",
    "police": "Police",
    "youth_offending": "Youth offending service",
    "housing": "Housing",
    "dwp": "Jobcentre Plus and employment support",
    "social_care": "Children's social care",
    "adult_services": "Adult mental health, drug and alcohol services",
    "providers": "Commissioned family support providers",
}

#: the kinds of information a family may agree to share
INFORMATION = {
    "education": "School attendance, exclusions and learning",
    "offending": "Offending and anti-social behaviour",
    "work_money": "Benefits, work and money",
    "health": "Physical and mental health",
    "housing": "Housing",
    "safeguarding": "Social care involvement and safeguarding",
}


class CafConsent(db.Model):
    """A family's consent to the Family CAF and to sharing information; withdrawn, it stays as history."""

    __tablename__ = "caf_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    #: the family member who gave consent, or empty when someone else did
    given_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    #: someone not recorded as a member: their name and relationship to the family
    given_by_name: Mapped[str | None] = mapped_column(String(120))
    given_on: Mapped[date]
    #: codes of AGENCIES information may be shared with
    agencies: Mapped[list] = mapped_column(JSON, default=list)
    #: other agencies named by the family, as words
    other_agencies: Mapped[str | None] = mapped_column(String(500))
    #: codes of INFORMATION that may be shared
    information: Mapped[list] = mapped_column(JSON, default=list)
    #: set when the family withdraws consent
    withdrawn_on: Mapped[date | None]
    withdrawn_note: Mapped[str | None] = mapped_column(String(500))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    given_by_member = relationship("Member")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def given_by(self) -> str:
        if self.given_by_member:
            return self.given_by_member.full_name
        return self.given_by_name or "Not recorded"

    @property
    def current(self) -> bool:
        return self.withdrawn_on is None

    @property
    def agency_labels(self) -> list[str]:
        labels = [AGENCIES.get(code, code) for code in self.agencies or []]
        return labels + ([self.other_agencies] if self.other_agencies else [])

    @property
    def information_labels(self) -> list[str]:
        return [INFORMATION.get(code, code) for code in self.information or []]

    def audit_state(self) -> dict:
        return {
            "given_by": self.given_by,
            "given_on": self.given_on,
            "agencies": list(self.agencies or []),
            "other_agencies": self.other_agencies,
            "information": list(self.information or []),
            "withdrawn_on": self.withdrawn_on,
            "withdrawn_note": self.withdrawn_note,
        }


# --- Assessment of strengths and needs -----------------------------------------------------

#: the domains a family is assessed in, in the order the assessment asks about them
DOMAINS = {
    "school": "School attendance and learning",
    "behaviour": "Behaviour and offending",
    "work_money": "Work and money",
    "housing": "Housing",
    "physical_health": "Physical health",
    "mental_health": "Mental health and wellbeing",
    "substance_use": "Drug and alcohol use",
    "relationships": "Family relationships",
    "parenting": "Parenting",
    "domestic_abuse": "Domestic abuse",
    "child_safety": "Safety of children",
}

#: what each score means: 1 is the greatest need, 4 the family doing well (OSCaR's scale)
SCORES = {1: "Serious concern", 2: "Some concern", 3: "Coping", 4: "Doing well"}


class Assessment(db.Model):
    """One Family CAF assessment. A new one never changes an earlier one: they are the history."""

    __tablename__ = "caf_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    assessed_on: Mapped[date]
    #: an overall summary, in the assessor's words
    summary: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by = relationship("User")
    scores: Mapped[list["AssessmentScore"]] = relationship(back_populates="assessment", order_by="AssessmentScore.id")

    def score_for(self, domain: str) -> "AssessmentScore | None":
        return next((s for s in self.scores if s.domain == domain), None)


class AssessmentScore(db.Model):
    """One domain of an assessment: its score from 1 to 4, the strengths and the needs."""

    __tablename__ = "caf_assessment_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "domain"),
        CheckConstraint("score BETWEEN 1 AND 4", name="score_1_to_4"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("caf_assessments.id"))
    #: one of DOMAINS
    domain: Mapped[str] = mapped_column(String(30))
    #: 1 (serious concern) to 4 (doing well)
    score: Mapped[int]
    strengths: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)

    assessment = relationship("Assessment", back_populates="scores")

    @property
    def domain_label(self) -> str:
        return DOMAINS.get(self.domain, self.domain)


# --- Priorities ----------------------------------------------------------------------------

#: whose priorities: the family's own, in their words, and the programme's, kept apart
PRIORITY_OWNERS = {"family": "The family's priorities", "programme": "Families for Change priorities"}


class Priority(db.Model):
    """One priority in an ordered list: the family's own, or the programme's."""

    __tablename__ = "caf_priorities"
    __table_args__ = (UniqueConstraint("family_id", "whose", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    #: `family` or `programme`
    whose: Mapped[str] = mapped_column(String(10))
    #: 1 is the most important
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(300))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Screenings ----------------------------------------------------------------------------

#: the screenings the updated Family CAF requires, each a short fixed list of questions
SCREENINGS = {
    "substance": {
        "title": "Drug and alcohol screening",
        "questions": {
            "adult_alcohol": "Does any adult in the family drink alcohol in a way that worries them or others?",
            "adult_drugs": "Does any adult in the family use drugs that were not prescribed to them?",
            "young_person_use": "Does any child or young person in the family drink alcohol or use drugs?",
            "impact": "Has drinking or drug use affected the care of the children, work, money or the home?",
            "support": "Is anyone in the family already getting help with drugs or alcohol?",
        },
    },
    "cse": {
        "title": "Child sexual exploitation (CSE) screening",
        "questions": {
            "missing": "Does any child go missing from home or school, or stay out late without explanation?",
            "gifts": "Does any child have unexplained gifts, money, phones, clothes or drugs?",
            "older_associates": "Does any child have relationships with older people or older peers?",
            "cars": "Is any child picked up or dropped off in cars by adults not known to the family?",
            "online": "Is any child secretive about phone or internet use, or in worrying contact online?",
            "health": "Are there signs of sexual health concerns, pregnancy, self-harm or drug or alcohol use?",
        },
    },
}
ANSWERS = {"yes": "Yes", "no": "No", "not_known": "Not known"}
SCREENING_OUTCOMES = {
    "no_concern": "No concern",
    "referral_made": "Concern – referral made",
    "already_known": "Concern – already known",
}


class Screening(db.Model):
    """A completed screening: the answer to each question, the outcome, who completed it and when."""

    __tablename__ = "caf_screenings"
    __table_args__ = (Index("ix_caf_screenings_family_id_kind", "family_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    #: one of SCREENINGS: `substance` or `cse`
    kind: Mapped[str] = mapped_column(String(12))
    #: the member it is about; empty = the whole family
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    completed_on: Mapped[date]
    #: question code -> one of ANSWERS
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    #: one of SCREENING_OUTCOMES
    outcome: Mapped[str] = mapped_column(String(16))
    #: where the referral went, or who already knows of the concern
    outcome_note: Mapped[str | None] = mapped_column(String(500))
    #: anyone who completed it with the recorder, e.g. the young person's YOT case manager
    completed_with: Mapped[str | None] = mapped_column(String(200))
    #: who completed it and recorded it
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("Member")
    by = relationship("User")

    @property
    def title(self) -> str:
        return SCREENINGS[self.kind]["title"]

    @property
    def outcome_label(self) -> str:
        return SCREENING_OUTCOMES.get(self.outcome, self.outcome)

    @property
    def concern(self) -> bool:
        return self.outcome != "no_concern"


# --- The action plan -----------------------------------------------------------------------

NOT_STARTED, IN_PROGRESS, DONE, DROPPED = "not_started", "in_progress", "done", "dropped"
ACTION_STATUSES = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", DONE: "Done", DROPPED: "Dropped"}
#: an action in one of these is still to do, and overdue once its due date has passed
OPEN_ACTION_STATUSES = (NOT_STARTED, IN_PROGRESS)


class Action(db.Model):
    """One action of the family's plan: what, who, by when, and the need it addresses."""

    __tablename__ = "caf_actions"
    __table_args__ = (Index("ix_caf_actions_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    #: the need (one of DOMAINS) it addresses; empty = none in particular
    domain: Mapped[str | None] = mapped_column(String(30))
    #: the person or agency who will do it, in words
    owner: Mapped[str | None] = mapped_column(String(200))
    #: the owner, when they use this system
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the day the action was agreed, e.g. at a Team Around the Family meeting
    agreed_on: Mapped[date]
    due_on: Mapped[date]
    #: one of ACTION_STATUSES
    status: Mapped[str] = mapped_column(String(12), default=NOT_STARTED)
    #: the day it was done or dropped
    completed_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner_user = relationship("User", foreign_keys=[owner_user_id])

    @property
    def owner_label(self) -> str:
        names = [n for n in (self.owner, self.owner_user.name if self.owner_user else None) if n]
        if len(names) == 2 and names[0] == names[1]:
            names = names[:1]
        return " – ".join(names) or "Nobody yet"

    @property
    def status_label(self) -> str:
        return ACTION_STATUSES.get(self.status, self.status)

    @property
    def domain_label(self) -> str:
        return DOMAINS.get(self.domain, self.domain) if self.domain else ""

    def is_overdue(self, today: date) -> bool:
        return self.status in OPEN_ACTION_STATUSES and self.due_on < today

    def audit_state(self) -> dict:
        return {
            "description": self.description,
            "domain": self.domain,
            "owner": self.owner,
            "owner_user_id": self.owner_user_id,
            "agreed_on": self.agreed_on,
            "due_on": self.due_on,
            "status": self.status,
            "completed_on": self.completed_on,
        }


class ActionUpdate(db.Model):
    """Each status an action has had, from when it was added: the plan's history."""

    __tablename__ = "caf_action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("caf_actions.id"), index=True)
    #: empty when the action was added
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    #: the day it happened
    on: Mapped[date]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    action = relationship("Action")
    by = relationship("User")


# --- Team Around the Family meetings and reviews -------------------------------------------

taf_meeting_attendees = Table(
    "taf_meeting_attendees",
    db.metadata,
    Column("meeting_id", ForeignKey("taf_meetings.id"), primary_key=True),
    Column("taf_member_id", ForeignKey("taf_members.id"), primary_key=True),
)


class TafMeeting(db.Model):
    """A Team Around the Family meeting: who came, what was decided, when to review."""

    __tablename__ = "taf_meetings"
    __table_args__ = (Index("ix_taf_meetings_family_id_held_on", "family_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    held_on: Mapped[date]
    #: anyone else who attended (family members, others), one a line
    other_attendees: Mapped[str | None] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text)
    #: when the plan is next reviewed; overdue once passed with no later meeting or review
    next_review_on: Mapped[date | None]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    attendees = relationship("TafMember", secondary=taf_meeting_attendees, order_by="TafMember.name")
    by = relationship("User")


class CaseReview(db.Model):
    """A review of the family's plan and progress."""

    __tablename__ = "case_reviews"
    __table_args__ = (Index("ix_case_reviews_family_id_reviewed_on", "family_id", "reviewed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"))
    reviewed_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    #: when the plan is next reviewed; overdue once passed with no later meeting or review
    next_review_on: Mapped[date | None]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by = relationship("User")
