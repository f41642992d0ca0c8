from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from tff.forms import DateField, MaxLength, date_not_after
from tff.privacy.operations import MAX_YEARS, MIN_YEARS


class ViewLogFilterForm(FlaskForm):
    """A GET form: filtering changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    family = StringField("Family reference", widget=GovTextInput(), validators=[Optional(), MaxLength(40)])
    user = StringField("Who (email contains)", widget=GovTextInput(), validators=[Optional(), MaxLength(120)])
    date_from = DateField("From")
    date_to = DateField("To", validators=[date_not_after("date_from")])
    submit = SubmitField("Filter", widget=GovSubmitInput())


def _whole_years(form, field):
    text = (field.data or "").strip()
    if not text.isdigit() or not MIN_YEARS <= int(text) <= MAX_YEARS:
        raise ValidationError(f"Enter a whole number of years from {MIN_YEARS} to {MAX_YEARS}, like 6")


class RetentionForm(FlaskForm):
    years = StringField(
        "Years to keep a closed family's personal data",
        description=(
            "Counted from the day the case closed. The default of 6 years keeps the record for as long as a "
            "payment-by-results claim for the family can be audited and as long as a legal claim about the "
            "case can be brought (six years under the Limitation Act 1980); keeping it longer than needed "
            "is against the UK GDPR's storage limitation principle."
        ),
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the number of years to keep a closed family's personal data, like 6"),
            _whole_years,
        ],
    )
    submit = SubmitField("Save the retention period", widget=GovSubmitInput())


class StartRetentionForm(FlaskForm):
    submit = SubmitField("Remove the personal data now", widget=GovSubmitInput())


class BreakGlassForm(FlaskForm):
    reason = TextAreaField(
        "Why do you need to open it?",
        description="Your reason is logged with your name and shown to the administrators.",
        widget=GovTextArea(),
    )
    submit = SubmitField("Open it and log my reason", widget=GovSubmitInput())


class SubjectAccessSearchForm(FlaskForm):
    """A GET form: finding a person changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    person_ref = StringField(
        "Person reference",
        description="The reference the system gives each family member, like P-0042",
        widget=GovTextInput(),
        validators=[Optional(), MaxLength(40)],
    )
    name = StringField(
        "Or their name",
        description="First name, last name or both; the start of a name is enough",
        widget=GovTextInput(),
        validators=[Optional(), MaxLength(200)],
    )
    date_of_birth = DateField("Date of birth", description="Optional with a name: narrows the list", not_future=True)
    submit = SubmitField("Find the person", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not any(((self.person_ref.data or "").strip(), (self.name.data or "").strip(), self.date_of_birth.data)):
            self.person_ref.errors = [*self.person_ref.errors, "Enter a person reference, or a name"]
            return False
        return True


class SubjectAccessExportForm(FlaskForm):
    submit = SubmitField("Export everything held about this person", widget=GovSubmitInput())
