from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from tff.cases.models.family import PROGRAMMES
from tff.forms import DateField
from tff.funding.commitments import BASES
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


class CommitmentForm(FlaskForm):
    programme = SelectField(
        "Programme",
        choices=[SelectChoice("", "Choose a programme")] + [SelectChoice(k, v) for k, v in PROGRAMMES.items()],
        widget=GovSelect(),
    )
    financial_year = StringField("Financial year", description="For example, 2012/13", widget=GovTextInput())
    # read as text so that a value that is not a number is named by the operation, beside the others
    families_committed = StringField(
        "Families committed",
        description="The number of families the council agreed to work with in the year",
        widget=GovTextInput(),
    )
    families_funded = StringField(
        "Families funded (optional)",
        description=(
            "The government’s own figure of the families it pays the attachment fee for. Leave it empty for the "
            "default: the families committed less the programme’s deadweight share (phase one: one sixth)"
        ),
        widget=GovTextInput(),
    )
    submit = SubmitField("Save the commitment", widget=GovSubmitInput())


class FeeBasisForm(FlaskForm):
    programme = SelectField(
        "Programme",
        choices=[SelectChoice("", "Choose a programme")] + [SelectChoice(k, v) for k, v in PROGRAMMES.items()],
        widget=GovSelect(),
    )
    basis = SelectField(
        "Attachment fees fall due for",
        choices=[SelectChoice("", "Choose how the fees fall due")] + [SelectChoice(k, v) for k, v in BASES.items()],
        widget=GovSelect(),
    )
    submit = SubmitField("Save the fee basis", widget=GovSubmitInput())
