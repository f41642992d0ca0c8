from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, NumberRange, Optional

from tff.auth.roles import ROLES
from tff.forms import MaxLength
from tff.inputs import record_id

ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLES.items()]


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class NewUserForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter an email address"),
            Email(
                message="Enter an email address in the right format, like name@example.org", check_deliverability=False
            ),
            MaxLength(254),
        ],
    )
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the person's name"), MaxLength(120)],
    )
    role = RadioField(
        "Role", choices=ROLE_CHOICES, widget=GovRadioInput(), validators=[InputRequired(message="Choose a role")]
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        description="At least 12 characters. Give it to the person in a safe way.",
        validators=[InputRequired(message="Enter a password")],
    )
    submit = SubmitField("Add user", widget=GovSubmitInput())


class EditUserForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the person's name"), MaxLength(120)],
    )
    role = RadioField(
        "Role", choices=ROLE_CHOICES, widget=GovRadioInput(), validators=[InputRequired(message="Choose a role")]
    )
    active = BooleanField("Can sign in", widget=GovCheckboxInput())
    team = SelectField("Team", widget=GovSelect(), coerce=record_id, validators=[Optional()])
    max_caseload = IntegerField(
        "Most open cases this person should hold (optional)",
        widget=GovTextInput(),
        description="Leave empty to use the team's limit per worker",
        validators=[
            Optional(),
            # at most: the least (1) is the user's operation's to say
            NumberRange(max=1_000, message="The most open cases this person holds must be 1,000 or fewer"),
        ],
    )
    password = PasswordField(
        "New password (optional)",
        widget=GovPasswordInput(),
        description="Leave empty to keep the current password. Setting one signs the person out everywhere.",
        validators=[Optional()],
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())
