"""The form that makes an evidence pack of a claim."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from tff.claims.packs import CHOICES, EVERY, SAMPLE


class PackForm(FlaskForm):
    which = RadioField(
        "What to pack",
        choices=[SelectChoice(EVERY, CHOICES[EVERY].capitalize()), SelectChoice(SAMPLE, CHOICES[SAMPLE].capitalize())],
        default=EVERY,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose what to pack")],
    )
    submit = SubmitField("Make the evidence pack", widget=GovSubmitInput())
