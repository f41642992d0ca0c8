from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from tff.cases.referrals.models import CLOSURE_OUTCOMES, LEVELS, SERVICE_TYPES
from tff.forms import DateField
from tff.inputs import record_id

LOOSE = {"validate_choice": False}


class ReferralForm(FlaskForm):
    provider = SelectField("Provider", widget=GovSelect(), coerce=record_id, validators=[Optional()], **LOOSE)
    requested_on = DateField("Date of the referral")
    reason = TextAreaField(
        "Why is the family referred?",
        widget=GovTextArea(),
        description="The needs the provider should meet, from the Family CAF",
        validators=[Optional(), Length(max=4000)],
    )
    confirm_over_limit = BooleanField("Refer anyway, above the provider's capacity", widget=GovCheckboxInput())
    submit = SubmitField("Make the referral", widget=GovSubmitInput())


class AcceptForm(FlaskForm):
    on = DateField("Date accepted")
    note = TextAreaField(
        "Note (optional)",
        widget=GovTextArea(),
        description="For example the worker allocated",
        validators=[Optional(), Length(max=2000)],
    )
    confirm_over_limit = BooleanField("Accept anyway, above the provider's capacity", widget=GovCheckboxInput())
    submit = SubmitField("Record that the referral was accepted", widget=GovSubmitInput())


class DeclineForm(FlaskForm):
    on = DateField("Date declined")
    note = TextAreaField(
        "Why did the provider decline?", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField("Record that the referral was declined", widget=GovSubmitInput())


class CloseReferralForm(FlaskForm):
    on = DateField("Date closed")
    outcome = RadioField(
        "Outcome",
        choices=[SelectChoice(code, label) for code, label in CLOSURE_OUTCOMES.items()],
        widget=GovRadioInput(),
        validators=[Optional()],
        **LOOSE,
    )
    note = TextAreaField(
        "What changed for the family (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=4000)]
    )
    submit = SubmitField("Close the referral", widget=GovSubmitInput())


class LevelForm(FlaskForm):
    to_level = RadioField(
        "The level of support the family is moving to",
        choices=[SelectChoice(code, label) for code, label in LEVELS.items()],
        widget=GovRadioInput(),
        validators=[Optional()],
        **LOOSE,
    )
    changed_on = DateField("Date of the change")
    note = TextAreaField(
        "Why",
        widget=GovTextArea(),
        description="The decision, who made it, and what support continues",
        validators=[Optional(), Length(max=4000)],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ProviderForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[Optional(), Length(max=120)])
    service_type = SelectField(
        "Kind of service",
        choices=[SelectChoice("", "Choose the kind of service")]
        + [SelectChoice(code, label) for code, label in SERVICE_TYPES.items()],
        widget=GovSelect(),
        validators=[Optional()],
        **LOOSE,
    )
    capacity = StringField(
        "Capacity",
        widget=GovTextInput(),
        description="The most open referrals it takes at once, for example 45. Leave empty for no limit.",
        validators=[Optional(), Length(max=10)],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    active = BooleanField("Takes new referrals", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save", widget=GovSubmitInput())
