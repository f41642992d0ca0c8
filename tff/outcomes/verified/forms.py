from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tff.forms import DateField

WHOLE_FAMILY = ""


class RecordForm(FlaskForm):
    # The choices are the outcomes of the family's plan, set by the view; a value that is not
    # one of them is refused by the operation, with what to do.
    code = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        description="The outcomes the family's outcome plan names for a practitioner to verify",
        validators=[Optional()],
        validate_choice=False,
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
