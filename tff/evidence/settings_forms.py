"""Forms of the evidence settings an administrator edits."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from tff.evidence.kinds import TERMS
from tff.forms import DateField, MaxLength


class TermCalendarForm(FlaskForm):
    autumn_start = DateField("Autumn term starts")
    autumn_end = DateField("Autumn term ends")
    spring_start = DateField("Spring term starts")
    spring_end = DateField("Spring term ends")
    summer_start = DateField("Summer term starts")
    summer_end = DateField("Summer term ends")
    submit = SubmitField("Save the term dates", widget=GovSubmitInput())

    def dates(self) -> dict:
        return {f"{t}_{e}": getattr(self, f"{t}_{e}").data for t in TERMS for e in ("start", "end")}


class DateRangeForm(FlaskForm):
    earliest = DateField(
        "Earliest date",
        description="No date before it is accepted, typed or imported. For example, 1 1 1900",
        validators=[InputRequired(message="Enter the earliest date")],
        plausible=False,
    )
    latest = DateField(
        "Latest date",
        description="No date after it is accepted. For example, 31 12 2100",
        validators=[InputRequired(message="Enter the latest date")],
        plausible=False,
    )
    submit = SubmitField("Save the date range", widget=GovSubmitInput())


class AcademicYearForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses the page to open

    year = StringField("Academic year, like 2012/13", widget=GovTextInput(), validators=[MaxLength(7)])


class BenefitsForm(FlaskForm):
    codes = StringField(
        "Out-of-work benefit codes",
        description="Separated by commas or spaces, e.g. JSA, ESA, IS, IB, SDA",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter at least one benefit code"), MaxLength(500)],
    )
    submit = SubmitField("Save the benefit list", widget=GovSubmitInput())


class KindForm(FlaskForm):
    family = RadioField(
        "Kind of",
        choices=[
            SelectChoice("event", "Events (things that happen on a day)"),
            SelectChoice("spell", "Spells (states that last from one date to another)"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose whether the kind is of events or of spells")],
    )
    code = StringField(
        "Code, as files give it",
        description="Lower-case letters, digits and underscores, e.g. gang_involvement",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the code"), MaxLength(40)],
    )
    label = StringField(
        "Label, as people read it",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a label"), MaxLength(100)],
    )
    submit = SubmitField("Add the kind", widget=GovSubmitInput())
