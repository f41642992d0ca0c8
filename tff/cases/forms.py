from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from tff.cases.models import CLOSURE_REASONS, PROGRAMMES
from tff.forms import DateField, MaxLength
from tff.inputs import record_id

PROGRAMME_CHOICES = [SelectChoice(code, label) for code, label in PROGRAMMES.items()]


class FamilyForm(FlaskForm):
    reference = StringField(
        "Family reference",
        widget=GovTextInput(),
        description="The council's reference for the family, for example F000123",
        validators=[InputRequired(message="Enter the family reference"), MaxLength(40)],
    )
    programme = RadioField(
        "Programme",
        choices=PROGRAMME_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the programme")],
    )
    identified_on = DateField(
        "Date identified", validators=[InputRequired(message="Enter the date the family was identified")]
    )
    address = TextAreaField("Address", widget=GovTextArea(), validators=[Optional(), MaxLength(500)])
    postcode = StringField("Postcode", widget=GovTextInput(), validators=[Optional(), MaxLength(10)])
    submit = SubmitField("Save", widget=GovSubmitInput())


class EditFamilyForm(FamilyForm):
    reference = None
    identified_on = DateField("Date identified")


class AttachForm(FlaskForm):
    attached_on = DateField(
        "Date attached",
        description="The day the family started working with the programme",
        validators=[InputRequired(message="Enter the date the family was attached")],
    )
    #: shown only for a family not eligible on its confirmed criteria, and then required
    override_reason = TextAreaField(
        "Why is the family being attached without meeting the criteria?",
        widget=GovTextArea(),
        description="This is recorded, and shown on the family, its claim lines and the funding tables",
        validators=[Optional(), MaxLength(500)],
    )
    submit = SubmitField("Attach the family", widget=GovSubmitInput())


class CloseForm(FlaskForm):
    closed_on = DateField("Date closed", validators=[InputRequired(message="Enter the date the case closed")])
    reason = RadioField(
        "Why is the case closing?",
        choices=[SelectChoice(code, label) for code, label in CLOSURE_REASONS.items()],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose why the case is closing")],
    )
    submit = SubmitField("Close the case", widget=GovSubmitInput())


class ReopenForm(FlaskForm):
    reopened_on = DateField("Date reopened", validators=[InputRequired(message="Enter the date the case reopened")])
    reason = TextAreaField(
        "Why is the case reopening?",
        widget=GovTextArea(),
        validators=[InputRequired(message="Say why the case is reopening"), MaxLength(400)],
    )
    submit = SubmitField("Reopen the case", widget=GovSubmitInput())


class MemberForm(FlaskForm):
    person_ref = StringField(
        "Person reference",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a person reference"), MaxLength(40)],
    )
    first_name = StringField(
        "First name", widget=GovTextInput(), validators=[InputRequired(message="Enter the first name"), MaxLength(100)]
    )
    last_name = StringField(
        "Last name", widget=GovTextInput(), validators=[InputRequired(message="Enter the last name"), MaxLength(100)]
    )
    date_of_birth = DateField(
        "Date of birth", validators=[InputRequired(message="Enter the date of birth")], not_future=True
    )
    sex = SelectField(
        "Sex",
        choices=[
            SelectChoice("", "Not recorded"),
            SelectChoice("F", "Female"),
            SelectChoice("M", "Male"),
            SelectChoice("X", "Other"),
        ],
        widget=GovSelect(),
        validators=[Optional()],
    )
    relationship = SelectField(
        "Relationship in the family",
        choices=[
            SelectChoice(v, v.replace("_", " ").capitalize())
            for v in ("mother", "father", "step_parent", "child", "grandparent", "other_adult", "other")
        ],
        widget=GovSelect(),
        validators=[Optional()],
    )
    upn = StringField(
        "Unique Pupil Number (children)",
        widget=GovTextInput(),
        description="A letter then 12 digits",
        validators=[Optional(), MaxLength(20)],
    )
    nino = StringField(
        "National Insurance number (adults)",
        widget=GovTextInput(),
        description="For example QQ 12 34 56 C",
        validators=[Optional(), MaxLength(20)],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class LeadWorkerForm(FlaskForm):
    lead_worker = SelectField(
        "Lead worker", widget=GovSelect(), coerce=record_id, validators=[InputRequired(message="Choose a lead worker")]
    )
    reason = StringField(
        "Reason for the change (optional)", widget=GovTextInput(), validators=[Optional(), MaxLength(400)]
    )
    confirm_over_limit = BooleanField("Assign anyway, above the caseload limit", widget=GovCheckboxInput())
    submit = SubmitField("Assign", widget=GovSubmitInput())


class TafMemberForm(FlaskForm):
    user = SelectField(
        "Colleague who uses this system (optional)", widget=GovSelect(), coerce=record_id, validators=[Optional()]
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="Leave empty when choosing a colleague above",
        validators=[Optional(), MaxLength(120)],
    )
    agency = StringField(
        "Agency",
        widget=GovTextInput(),
        description="For example school, housing, youth offending, health visitor",
        validators=[Optional(), MaxLength(120)],
    )
    role = StringField("Role", widget=GovTextInput(), validators=[Optional(), MaxLength(120)])
    submit = SubmitField("Add to the team", widget=GovSubmitInput())


class TeamForm(FlaskForm):
    name = StringField(
        "Name", widget=GovTextInput(), validators=[InputRequired(message="Enter the team's name"), MaxLength(120)]
    )
    max_open_cases = IntegerField(
        "Most open cases the team holds (optional)",
        widget=GovTextInput(),
        description="For example 45 for the Family Recovery Programme",
        validators=[
            Optional(),
            # at most: the least (1) is the team's operation's to say
            NumberRange(max=100_000, message="The most open cases the team holds must be 100,000 or fewer"),
        ],
    )
    max_per_worker = IntegerField(
        "Most open cases one of its workers holds (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(max=1_000, message="The most open cases of one worker must be 1,000 or fewer"),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
