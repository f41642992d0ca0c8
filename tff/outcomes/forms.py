from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField
from wtforms.validators import InputRequired

from tff.forms import DateField


class EvaluationForm(FlaskForm):
    as_of = DateField(
        "Evidence up to",
        description="The as-of date: usually the evidence cut-off of a claim window. For example, 31 7 2013",
        validators=[InputRequired(message="Enter the date to decide the results as of")],
    )
    submit = SubmitField("Decide the results", widget=GovSubmitInput())
