from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from tff.evidence.importing import EvidenceFormat
from tff.evidence.kinds import ATTACHED, DISMISSED, OPEN
from tff.extensions import db
from tff.imports.kinds import FORMATS
from tff.imports.models import ImportRun
from tff.inputs import MAX_INT


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


#: the kinds of evidence rows are held for: format name -> title
EVIDENCE_KINDS = dict(
    sorted(((name, fmt.title) for name, fmt in FORMATS.items() if issubclass(fmt, EvidenceFormat)), key=lambda k: k[1])
)
#: the queue's states: value -> words; "any" for rows in any state
ANY_STATE = "any"
QUEUE_STATES = {OPEN: "Open", ATTACHED: "Attached", DISMISSED: "Dismissed", ANY_STATE: "Any state"}


def run_label(run: ImportRun) -> str:
    return f"Import {run.id}: {run.filename}"


def _shown(value: str) -> str:
    """A value from the URL, as said back in a message."""
    return value if len(value) <= 40 else value[:40] + "…"


class QueueFilterForm(FlaskForm):
    """Which unmatched rows the queue lists (open ones unless another state is chosen). A GET
    form, changing nothing, so without a CSRF token; a value not offered is said as an error on
    the page."""

    class Meta:
        csrf = False

    run = SelectField("Import", widget=GovSelect(), validate_choice=False)
    kind = SelectField("Kind of evidence", widget=GovSelect(), validate_choice=False)
    state = SelectField("State", widget=GovSelect(), validate_choice=False, default=OPEN)

    def __init__(self, formdata):
        super().__init__(formdata)
        self.kind.choices = [("", "Any kind"), *EVIDENCE_KINDS.items()]
        self.state.choices = list(QUEUE_STATES.items())
        self.chosen_run: ImportRun | None = None
        # the imports that held rows, newest first (one row a file: a small table)
        runs = db.session.scalars(
            select(ImportRun).where(ImportRun.unmatched > 0, ImportRun.dry_run.is_(False)).order_by(ImportRun.id.desc())
        ).all()
        self.run.choices = [("", "Any import"), *((str(run.id), run_label(run)) for run in runs)]

    def validate_run(self, field):
        value = (field.data or "").strip()
        if not value:
            return
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            raise ValidationError(f"“{_shown(value)}” is not an import number: choose an import from the list")
        self.chosen_run = db.session.get(ImportRun, int(value)) if int(value) <= MAX_INT else None
        if self.chosen_run is None:
            raise ValidationError(f"There is no import {value}: choose an import from the list")
        if value not in {choice for choice, _ in self.run.choices}:
            self.run.choices.append((value, run_label(self.chosen_run)))

    def validate_kind(self, field):
        if field.data and field.data not in EVIDENCE_KINDS:
            kinds = ", ".join(EVIDENCE_KINDS)
            raise ValidationError(f"“{_shown(field.data)}” is not a kind of evidence held here: choose one of {kinds}")

    def validate_state(self, field):
        if field.data and field.data not in QUEUE_STATES:
            raise ValidationError(f"“{_shown(field.data)}” is not a state: choose one of {', '.join(QUEUE_STATES)}")

    @property
    def run_id(self) -> int | None:
        return self.chosen_run.id if self.chosen_run else None

    @property
    def chosen_state(self) -> str | None:
        """The state the rows are in, None for any."""
        state = self.state.data or OPEN
        return None if state == ANY_STATE else state

    def args(self) -> dict[str, str]:
        """The filters as URL arguments, without the defaults."""
        args = {"run": str(self.run_id) if self.chosen_run else "", "kind": self.kind.data or ""}
        if (self.state.data or OPEN) != OPEN:
            args["state"] = self.state.data
        return {key: value for key, value in args.items() if value}
