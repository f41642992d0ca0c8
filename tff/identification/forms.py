from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea
from wtforms import SelectMultipleField, SubmitField, TextAreaField

from tff.forms import MaxLength
from tff.identification.decisions import MAX_WORDS


class ConfirmForm(FlaskForm):
    """Confirming a suggestion is one button on the family page: the form carries its CSRF token."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Why is the suggestion rejected?",
        widget=GovTextArea(),
        description="For example: the ASB incident was another household's; the benefit ended before the date",
        validators=[MaxLength(MAX_WORDS)],
    )
    submit = SubmitField("Reject the suggestion", widget=GovSubmitInput())


class RecordForm(FlaskForm):
    # No `Optional()`: it would clear the choice check's error for a blank value (" ").
    criteria = SelectMultipleField("Which criteria does the family meet?", widget=GovCheckboxesInput())
    note = TextAreaField(
        "What shows the family meets them?",
        widget=GovTextArea(),
        description="For example: a referral from the school, a home visit on 3 March, the housing officer's report",
        validators=[MaxLength(MAX_WORDS)],
    )
    submit = SubmitField("Record the criteria", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Why is the criterion withdrawn?",
        widget=GovTextArea(),
        description="For example: recorded for the wrong family; the exclusion was overturned on appeal",
        validators=[MaxLength(MAX_WORDS)],
    )
    submit = SubmitField("Withdraw the criterion", widget=GovSubmitInput())
