from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from tff.cases.progress.models import NOTE_KINDS
from tff.forms import DateField


class NoteForm(FlaskForm):
    contact_on = DateField("Date of the contact")
    kind = RadioField(
        "Kind of contact",
        choices=[SelectChoice(code, label) for code, label in NOTE_KINDS.items()],
        widget=GovRadioInput(),
        validators=[Optional()],
        validate_choice=False,
    )
    facts = TextAreaField(
        "What happened (facts)",
        widget=GovTextArea(),
        description="Who was there, what you saw, what was said and done. Only what you know to be true.",
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 8},
    )
    opinion = TextAreaField(
        "Your professional opinion (optional)",
        widget=GovTextArea(),
        description="What you think it means, and why. Kept apart from the facts.",
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 5},
    )
    submit = SubmitField("Save the note", widget=GovSubmitInput())
