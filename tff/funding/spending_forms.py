"""The form of a spending line. Its values are checked by `tff.funding.spending.check`, which
says every problem beside its field; the form only carries what was typed."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from sqlalchemy import select
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from tff.cases.models import Team
from tff.cases.referrals.models import Provider
from tff.extensions import db
from tff.funding.spending import PAYS_FOR


class SpendingLineForm(FlaskForm):
    name = StringField(
        "Name", description="What the money is for, for example, Extend YWCA Family Support Contract",
        widget=GovTextInput(),
    )  # fmt: skip
    financial_year = StringField("Financial year", description="For example, 2014/15", widget=GovTextInput())
    amount = StringField("Amount, in whole pounds", description="For example, 77000", widget=GovTextInput())
    pays_for = RadioField(
        "What it pays for",
        choices=[SelectChoice(code, label) for code, label in PAYS_FOR.items()],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    team_id = SelectField("Team", description="For a team’s staffing", widget=GovSelect(), validate_choice=False)
    provider_id = SelectField(
        "Commissioned provider", description="For a provider’s contract", widget=GovSelect(), validate_choice=False
    )
    description = TextAreaField(
        "What else it pays for", description="For something else, for example, the case management system",
        widget=GovTextArea(),
    )  # fmt: skip
    submit = SubmitField("Save the spending line", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        teams = db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
        providers = db.session.execute(select(Provider.id, Provider.name).order_by(Provider.name)).all()
        self.team_id.choices = [SelectChoice("", "Choose a team")] + [SelectChoice(str(i), n) for i, n in teams]
        self.provider_id.choices = [SelectChoice("", "Choose a provider")] + [
            SelectChoice(str(i), n) for i, n in providers
        ]


class RemoveForm(FlaskForm):
    submit = SubmitField("Remove the spending line", widget=GovSubmitInput())
