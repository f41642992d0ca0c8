from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length


class AttachForm(FlaskForm):
    person_ref = StringField(
        "Reference of the member (person_ref)",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the member's reference"), Length(max=40)],
    )
    submit = SubmitField("Attach to this member", widget=GovSubmitInput())


class DismissForm(FlaskForm):
    reason = TextAreaField(
        "Why is the row dismissed?",
        widget=GovTextArea(),
        validators=[InputRequired(message="Say why the row is dismissed"), Length(max=2000)],
        render_kw={"rows": 3},
    )
    submit = SubmitField("Dismiss the row", widget=GovSubmitInput())
