"""Forms of evidence entered by hand on the family's page."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, StopValidation

from tff.forms import DateField, MaxLength
from tff.inputs import record_id


def required_date(message: str):
    """Validator: a date is given (a date given wrongly keeps its own message)."""

    def check(form, field):
        if field.data is None and not field.errors:
            raise StopValidation(message)

    return check


def _kind_choices(labels: dict[str, str]) -> list[tuple[str, str]]:
    return [("", "Choose a kind"), *labels.items()]


class EventForm(FlaskForm):
    member_id = RadioField(
        "Who is it about?",
        coerce=record_id,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the member of the family the event is about")],
    )
    kind = SelectField(
        "Kind of event", widget=GovSelect(), validators=[InputRequired(message="Choose the kind of event")]
    )
    date = DateField("Date of the event", validators=[required_date("Enter the date of the event")])
    detail = TextAreaField("Detail", widget=GovTextArea(), validators=[Optional(), MaxLength(2000)])
    submit = SubmitField("Save the event", widget=GovSubmitInput())

    def setup(self, members, labels: dict[str, str]):
        self.member_id.choices = [(m.id, f"{m.full_name} ({m.person_ref})") for m in members]
        self.kind.choices = _kind_choices(labels)
        return self

    def values(self) -> dict:
        return {f: getattr(self, f).data for f in ("member_id", "kind", "date", "detail") if f in self}


class SpellForm(FlaskForm):
    member_id = RadioField(
        "Who is it about?",
        coerce=record_id,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the member of the family the spell is about")],
    )
    kind = SelectField(
        "Kind of spell", widget=GovSelect(), validators=[InputRequired(message="Choose the kind of spell")]
    )
    start_date = DateField("Start date", validators=[required_date("Enter the start date")])
    end_date = DateField("End date", description="Leave empty while the spell is still open")
    detail = TextAreaField(
        "Detail",
        description="For a benefit, the benefit code, e.g. JSA",
        widget=GovTextArea(),
        validators=[Optional(), MaxLength(200)],
    )
    submit = SubmitField("Save the spell", widget=GovSubmitInput())

    def setup(self, members, labels: dict[str, str]):
        self.member_id.choices = [(m.id, f"{m.full_name} ({m.person_ref})") for m in members]
        self.kind.choices = _kind_choices(labels)
        return self

    def values(self) -> dict:
        return {
            f: getattr(self, f).data for f in ("member_id", "kind", "start_date", "end_date", "detail") if f in self
        }
