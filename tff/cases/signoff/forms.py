"""The manager's forms: approve (a confirmation), return (with a reason); and the proposer's
withdrawal (a confirmation)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tff.cases.forms import CloseForm


class ApproveForm(FlaskForm):
    submit = SubmitField("Approve", widget=GovSubmitInput())


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        "Why are you returning it?",
        widget=GovTextArea(),
        description="The lead worker reads this on the family's page",
        validators=[Optional(), Length(max=4000)],
    )
    submit = SubmitField("Return it", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    submit = SubmitField("Withdraw", widget=GovSubmitInput())


class ProposeClosureForm(CloseForm):
    """The closure form as it is, proposing rather than closing."""

    submit = SubmitField("Propose closing the case", widget=GovSubmitInput())
