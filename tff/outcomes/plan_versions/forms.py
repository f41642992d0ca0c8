from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from tff.forms import DateField

#: the largest plan accepted (a plan is a few kilobytes)
MAX_PLAN_BYTES = 512 * 1024


class PlanImportForm(FlaskForm):
    file = FileField(
        "A plan file",
        widget=GovFileInput(),
        description="YAML (.yaml, .yml) or JSON (.json), as exported from this product or another.",
        validators=[Optional(), FileAllowed(["yaml", "yml", "json"], message="The file must end .yaml, .yml or .json")],
    )
    text = TextAreaField(
        "Or paste the plan",
        widget=GovTextArea(),
        validators=[Optional()],
    )
    fmt = RadioField(
        "The pasted plan is written in",
        choices=[SelectChoice("yaml", "YAML"), SelectChoice("json", "JSON")],
        default="yaml",
        widget=GovRadioInput(),
    )
    submit = SubmitField("Check and store the plan", widget=GovSubmitInput())


class PlanEditForm(FlaskForm):
    text = TextAreaField(
        "The plan, as YAML",
        widget=GovTextArea(),
        description="Stored as a new version: the version it edits stays as it is.",
        validators=[InputRequired(message="Enter the plan")],
    )
    submit = SubmitField("Check and store the new version", widget=GovSubmitInput())


class AdoptForm(FlaskForm):
    in_force_from = DateField(
        "In force from",
        description="Families attached on or after this date are measured against this version. For example, 1 4 2015",
        validators=[InputRequired(message="Enter the date the plan is in force from")],
    )
    submit = SubmitField("Adopt this version", widget=GovSubmitInput())


class ShippedForm(FlaskForm):
    submit = SubmitField("Store and adopt the plans shipped with the product", widget=GovSubmitInput())
