from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import Optional


class AuditFilterForm(FlaskForm):
    """A GET form: filtering changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    user = StringField("Who (email contains)", widget=GovTextInput(), validators=[Optional()])
    action = SelectField("What", widget=GovSelect(), validators=[Optional()])
    object_type = SelectField("Kind of record", widget=GovSelect(), validators=[Optional()])
    object_id = StringField("Record id or reference", widget=GovTextInput(), validators=[Optional()])
    date_from = DateField("From", widget=GovDateInput(), validators=[Optional()])
    date_to = DateField("To", widget=GovDateInput(), validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())
