"""The claims pages' forms: a window, a review or audit decision on a line, starting the audit
again, the submission of a checked claim, a payment, the reversal of a payment or clawback, a
spot check's clawback."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tff.forms import DateField, MaxLength, date_not_after
from tff.inputs import MAX_POUNDS


class WindowForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="Unique, for example 2013-07",
        validators=[InputRequired(message="Enter the window's name"), MaxLength(40)],
    )
    as_of = DateField(
        "Evidence up to",
        description="The results are decided as of this date. For example, 31 7 2013",
        validators=[InputRequired(message="Enter the date the results are decided as of")],
    )
    opens = DateField("Opens (optional)")
    closes = DateField("Closes (optional)", validators=[date_not_after("opens")])
    sample_percent = IntegerField(
        "Audit sample (percent of the lines)",
        widget=GovTextInput(),
        default=10,
        description="Internal audit checks this share of the included lines before the claim is submitted",
        validators=[
            InputRequired(message="Enter the audit sample as a whole number from 0 to 100"),
            NumberRange(0, 100, message="The audit sample must be a whole number from 0 to 100"),
        ],
    )
    submit = SubmitField("Create the window", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token is checked."""


class ReviewForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Say why"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Exclude the line", widget=GovSubmitInput())


class AuditForm(FlaskForm):
    note = TextAreaField(
        "What was checked",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Add a note saying what was checked"),
            Length(max=2000, message="The note must be 2,000 characters or fewer"),
        ],
    )
    verify = SubmitField("Verify the line", widget=GovSubmitInput())
    reject = SubmitField("Reject the line", widget=GovSubmitInput())


class RestartAuditForm(FlaskForm):
    reason = TextAreaField(
        "Why is the audit started again?",
        widget=GovTextArea(),
        description="For example: the sample was checked against the wrong evidence cut-off",
        validators=[
            InputRequired(message="Say why the audit is started again"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Start the audit again", widget=GovSubmitInput())


class SubmitClaimForm(FlaskForm):
    """The button at the foot of the check-your-answers page: submitting needs it, so the claim
    is never submitted without the page being seen."""

    confirmed = HiddenField()
    submit = SubmitField("Submit the claim", widget=GovSubmitInput())


class PaymentForm(FlaskForm):
    amount = IntegerField(
        "Amount paid, in whole pounds",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the amount paid, in whole pounds"),
            NumberRange(min=1, message="The amount paid must be more than 0"),
            NumberRange(max=MAX_POUNDS, message="The amount paid must be £1,000,000,000 or less"),
        ],
    )
    paid_on = DateField("Paid on", validators=[InputRequired(message="Enter the date it was paid")])
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    #: shown only once the amount is found to be more than is outstanding
    confirm_over = BooleanField("Record it anyway: more than is outstanding", widget=GovCheckboxInput())
    submit = SubmitField("Record the payment", widget=GovSubmitInput())


class ReversalForm(FlaskForm):
    """The reversal of one entry: which (a hidden field, checked against the window) and why."""

    entry = HiddenField(validators=[InputRequired(message="Choose the payment to reverse")])
    reason = TextAreaField(
        "Why is it reversed?",
        widget=GovTextArea(),
        description="For example: keyed as £999,999 instead of £89,400",
        validators=[
            InputRequired(message="Say why the entry is reversed"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Reverse it", widget=GovSubmitInput())


class ClawbackForm(FlaskForm):
    amount = IntegerField(
        "Amount clawed back, in whole pounds",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the amount clawed back, in whole pounds"),
            NumberRange(min=1, message="The amount clawed back must be more than 0"),
            NumberRange(max=MAX_POUNDS, message="The amount clawed back must be £1,000,000,000 or less"),
        ],
    )
    clawed_back_on = DateField(
        "Clawed back on", validators=[InputRequired(message="Enter the date it was clawed back")]
    )
    reason = TextAreaField(
        "What the spot check found",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Say what the spot check found"),
            Length(max=2000, message="The finding must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Record the clawback", widget=GovSubmitInput())
