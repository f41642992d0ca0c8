from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from tff.cases.models.family import PROGRAMMES
from tff.forms import DateField
from tff.inputs import MAX_POUNDS


class FeeReceiptForm(FlaskForm):
    programme = SelectField(
        "Programme",
        choices=[SelectChoice("", "Choose a programme")] + [SelectChoice(k, v) for k, v in PROGRAMMES.items()],
        widget=GovSelect(),
    )
    financial_year = StringField(
        "Financial year of attachment", description="For example, 2013/14", widget=GovTextInput()
    )
    amount = IntegerField(
        "Amount received, in whole pounds",
        widget=GovTextInput(),
        validators=[
            Optional(),
            # at most: the least (1) is the operation's to say, with the other fields' problems
            NumberRange(max=MAX_POUNDS, message="The amount received must be £1,000,000,000 or less"),
        ],
    )
    received_on = DateField("Date received", description="For example, 30 4 2014")
    note = TextAreaField("Note", widget=GovTextArea(), validators=[Optional()])
    submit = SubmitField("Record the fees received", widget=GovSubmitInput())


class ProgrammeEndForm(FlaskForm):
    programme = SelectField(
        "Programme",
        choices=[SelectChoice("", "Choose a programme")] + [SelectChoice(k, v) for k, v in PROGRAMMES.items()],
        widget=GovSelect(),
    )
    ends_on = DateField("End date", description="The day its funding ends, for example, 30 4 2015")
    submit = SubmitField("Save the end date", widget=GovSubmitInput())
