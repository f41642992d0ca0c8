from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Optional

from tff.forms import DateField, MaxLength, date_not_after


class AuditFilterForm(FlaskForm):
    """A GET form: filtering changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    user = StringField("Who (email contains)", widget=GovTextInput(), validators=[Optional(), MaxLength(254)])
    action = SelectField("What", widget=GovSelect(), validators=[Optional()])
    object_type = SelectField("Kind of record", widget=GovSelect(), validators=[Optional()])
    object_id = StringField("Record id or reference", widget=GovTextInput(), validators=[Optional(), MaxLength(120)])
    date_from = DateField("From")
    date_to = DateField("To", validators=[date_not_after("date_from")])
    submit = SubmitField("Filter", widget=GovSubmitInput())
