"""The spot check pages' forms: the families selected, and a family's finding."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from tff.claims.spot_checks.models import FINDINGS
from tff.forms import DateField


class SpotCheckForm(FlaskForm):
    # checked by the operation, which names every problem at once beside its field
    families = TextAreaField(
        "The families selected",
        description="Their references, one on each line or separated by commas, for example F000114, F000207",
        widget=GovTextArea(),
    )
    selected_on = DateField("Selected on", description="The day the national team named them, for example 2 9 2013")
    reference = StringField("The national team’s reference (optional)", widget=GovTextInput(), validators=[Optional()])
    submit = SubmitField("Record the spot check", widget=GovSubmitInput())


class FindingForm(FlaskForm):
    finding = RadioField(
        "Did the check uphold the family’s results?",
        choices=[SelectChoice(value, words) for value, words in FINDINGS.items()],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    note = TextAreaField("What the check found", widget=GovTextArea())
    clawed_back_on = DateField(
        "Clawed back on (results not upheld)",
        description="Leave empty for today. For example, 30 11 2013",
        validators=[Optional()],
    )
    submit = SubmitField("Record the finding", widget=GovSubmitInput())
