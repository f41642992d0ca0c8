from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tff.forms import DateField

WHOLE_FAMILY = ""


class RecordForm(FlaskForm):
    code = StringField(
        "Outcome code",
        widget=GovTextInput(),
        description="As the outcome plan names it: lower-case letters, digits and underscores, "
        "for example mental_health_engagement",
        validators=[Optional()],
    )
    title = StringField(
        "What the outcome is",
        widget=GovTextInput(),
        description="In words, for example: engaged with mental health service",
        validators=[Optional()],
    )
    member = SelectField(
        "Who it is about",
        widget=GovSelect(),
        validators=[Optional()],
        validate_choice=False,
    )
    achieved_on = DateField("Date the outcome was achieved")
    evidence_note = TextAreaField(
        "Evidence",
        widget=GovTextArea(),
        description="How you know: what you saw, what was said or sent, and by whom, with dates.",
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 8},
    )
    submit = SubmitField("Record the outcome", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    note = TextAreaField(
        "Decision note",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 4},
    )
    submit = SubmitField("Decide", widget=GovSubmitInput())
