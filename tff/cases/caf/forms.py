from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from tff.cases.caf.models import (
    ACTION_STATUSES,
    AGENCIES,
    ANSWERS,
    DOMAINS,
    INFORMATION,
    SCORES,
    SCREENING_OUTCOMES,
    SCREENINGS,
)
from tff.forms import DateField
from tff.inputs import record_id

# The operations check the choices and say what is wrong in words; the fields do not refuse
# an unknown choice with WTForms' "Not a valid choice".
LOOSE = {"validate_choice": False}


class ConsentForm(FlaskForm):
    given_by = SelectField("Who gave consent?", widget=GovSelect(), coerce=record_id, validators=[Optional()], **LOOSE)
    given_by_name = StringField(
        "Name of the person who gave consent, if not a family member",
        widget=GovTextInput(),
        description="With their relationship to the family, for example Jane Smith (grandmother)",
        validators=[Optional(), Length(max=120)],
    )
    given_on = DateField("Date consent was given")
    agencies = SelectMultipleField(
        "Agencies the family agreed information can be shared with",
        choices=[SelectChoice(code, label) for code, label in AGENCIES.items()],
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        **LOOSE,
    )
    other_agencies = StringField(
        "Other agencies named by the family (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500)],
    )
    information = SelectMultipleField(
        "Kinds of information that may be shared",
        choices=[SelectChoice(code, label) for code, label in INFORMATION.items()],
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        **LOOSE,
    )
    submit = SubmitField("Record consent", widget=GovSubmitInput())


class WithdrawConsentForm(FlaskForm):
    withdrawn_on = DateField("Date consent was withdrawn")
    note = TextAreaField(
        "How was consent withdrawn?",
        widget=GovTextArea(),
        description="Who withdrew it, how (in person, by phone, in writing) and anything they asked for",
        validators=[Optional(), Length(max=500)],
    )
    submit = SubmitField("Record that consent was withdrawn", widget=GovSubmitInput())


def assessment_form():
    """The assessment form: a score, strengths and needs for every domain."""

    class AssessmentForm(FlaskForm):
        assessed_on = DateField("Date of the assessment")
        summary = TextAreaField(
            "Summary (optional)",
            widget=GovTextArea(),
            description="The family's situation overall, in a few sentences",
            validators=[Optional(), Length(max=4000)],
        )
        submit = SubmitField("Save the assessment", widget=GovSubmitInput())

    for code, label in DOMAINS.items():
        setattr(
            AssessmentForm,
            f"score_{code}",
            RadioField(
                f"Score for {label}",
                choices=[SelectChoice(str(n), f"{n} – {words}") for n, words in SCORES.items()]
                + [SelectChoice("", "Not assessed")],
                widget=GovRadioInput(),
                validators=[Optional()],
                **LOOSE,
            ),
        )
        setattr(
            AssessmentForm,
            f"strengths_{code}",
            TextAreaField("Strengths", widget=GovTextArea(), validators=[Optional(), Length(max=4000)]),
        )
        setattr(
            AssessmentForm,
            f"needs_{code}",
            TextAreaField("Needs", widget=GovTextArea(), validators=[Optional(), Length(max=4000)]),
        )
    return AssessmentForm


class PrioritiesForm(FlaskForm):
    family = TextAreaField(
        "The family's own priorities",
        widget=GovTextArea(),
        description="In the family's words. One a line, the most important first.",
        validators=[Optional(), Length(max=4000)],
    )
    programme = TextAreaField(
        "Families for Change priorities",
        widget=GovTextArea(),
        description="What the programme needs to change. One a line, the most important first.",
        validators=[Optional(), Length(max=4000)],
    )
    submit = SubmitField("Save the priorities", widget=GovSubmitInput())


def screening_form(kind: str):
    class ScreeningForm(FlaskForm):
        member = SelectField(
            "Who is the screening about?", widget=GovSelect(), coerce=record_id, validators=[Optional()], **LOOSE
        )
        completed_on = DateField("Date completed")
        outcome = RadioField(
            "Outcome",
            choices=[SelectChoice(code, label) for code, label in SCREENING_OUTCOMES.items()],
            widget=GovRadioInput(),
            validators=[Optional()],
            **LOOSE,
        )
        outcome_note = TextAreaField(
            "Referred to, or already known by",
            widget=GovTextArea(),
            description="For a concern: the service the concern was referred to, or the service that already knows",
            validators=[Optional(), Length(max=500)],
        )
        completed_with = StringField(
            "Completed with (optional)",
            widget=GovTextInput(),
            description="Anyone who completed the screening with you, for example the young person's YOT worker",
            validators=[Optional(), Length(max=200)],
        )
        submit = SubmitField("Save the screening", widget=GovSubmitInput())

    for code, question in SCREENINGS[kind]["questions"].items():
        setattr(
            ScreeningForm,
            f"q_{code}",
            RadioField(
                question,
                choices=[SelectChoice(value, label) for value, label in ANSWERS.items()],
                widget=GovRadioInput(),
                validators=[Optional()],
                **LOOSE,
            ),
        )
    return ScreeningForm


DOMAIN_CHOICES = [SelectChoice("", "Not linked to one need")] + [
    SelectChoice(code, label) for code, label in DOMAINS.items()
]


class ActionForm(FlaskForm):
    description = TextAreaField(
        "What needs to happen",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500)],
    )
    domain = SelectField(
        "The need it addresses", choices=DOMAIN_CHOICES, widget=GovSelect(), validators=[Optional()], **LOOSE
    )
    owner = StringField(
        "Who will do it",
        widget=GovTextInput(),
        description="A person or an agency, for example Adult H, or Wiseability employment support",
        validators=[Optional(), Length(max=200)],
    )
    owner_user = SelectField(
        "Or a colleague who uses this system (optional)",
        widget=GovSelect(),
        coerce=record_id,
        validators=[Optional()],
        **LOOSE,
    )
    agreed_on = DateField("Date agreed")
    due_on = DateField("Due by")
    submit = SubmitField("Add to the plan", widget=GovSubmitInput())


class EditActionForm(ActionForm):
    status = RadioField(
        "Status",
        choices=[SelectChoice(code, label) for code, label in ACTION_STATUSES.items()],
        widget=GovRadioInput(),
        validators=[Optional()],
        **LOOSE,
    )
    submit = SubmitField("Save the action", widget=GovSubmitInput())


class MeetingForm(FlaskForm):
    held_on = DateField("Date of the meeting")
    attendees = SelectMultipleField(
        "Who attended from the Team Around the Family",
        widget=GovCheckboxesInput(),
        coerce=record_id,
        validators=[Optional()],
        **LOOSE,
    )
    other_attendees = TextAreaField(
        "Others who attended",
        widget=GovTextArea(),
        description="Family members and anyone not on the team, one a line",
        validators=[Optional(), Length(max=2000)],
    )
    decisions = TextAreaField(
        "Decisions", widget=GovTextArea(), validators=[Optional(), Length(max=8000)], render_kw={"rows": 8}
    )
    next_review_on = DateField("Next review date (optional)")
    submit = SubmitField("Save the meeting", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    reviewed_on = DateField("Date of the review")
    summary = TextAreaField(
        "Summary",
        widget=GovTextArea(),
        description="Progress against the plan, and what changes",
        validators=[Optional(), Length(max=8000)],
        render_kw={"rows": 8},
    )
    next_review_on = DateField("Next review date (optional)")
    submit = SubmitField("Save the review", widget=GovSubmitInput())
