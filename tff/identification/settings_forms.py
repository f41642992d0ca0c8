"""The form of the identification settings an administrator edits."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from tff.forms import MaxLength
from tff.identification.settings import ABSENCE_TITLES


class IdentificationSettingsForm(FlaskForm):
    absence = RadioField(
        "Which absence counts?",
        description="A child's absence counts towards the education criterion when it is 15% or more of their "
        "school sessions over the last 3 terms.",
        choices=[SelectChoice(value, title) for value, title in ABSENCE_TITLES.items()],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose which absence counts")],
    )
    local_filters = TextAreaField(
        "Local filters",
        description="One a line: a code as files give it in local_criteria (lower-case letters, digits and "
        "underscores), a colon, then the title people read, like “deprived_area: Lives in a deprived area”.",
        widget=GovTextArea(),
        validators=[MaxLength(10000)],
        render_kw={"params": {"rows": 10}},
    )
    submit = SubmitField("Save the identification settings", widget=GovSubmitInput())
