"""Form pieces shared by every feature."""

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.validators import ValidationError

from tff.dates import date_problem


class DateField(Field):
    """A GOV.UK date input: day, month and year boxes sharing the field's name.

    Three empty boxes (or none sent) mean no date; anything else must be a real date within
    the plausible range (`tff.dates`), and not in the future with `not_future` (a date of
    birth), and the message says which part is wrong.
    """

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, *, not_future: bool = False, plausible: bool = True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.not_future = not_future
        #: False only where the range itself is set
        self.plausible = plausible

    def process_formdata(self, valuelist):
        parts = [v.strip() for v in valuelist]
        if not any(parts):
            self.raw_data, self.data = None, None
            return
        self.data = None
        if len(parts) != 3:
            # The widget shows raw_data as its three boxes: never more or fewer.
            self.raw_data = (list(valuelist) + ["", "", ""])[:3]
            raise ValueError(f"{self.label.text} must have a day, a month and a year")
        missing = [name for name, part in zip(("a day", "a month", "a year"), parts, strict=True) if not part]
        if missing:
            raise ValueError(f"{self.label.text} must include {' and '.join(missing)}")
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise ValueError(f"{self.label.text} must be a real date, like 31 7 2013")
        try:
            day = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError as exc:
            raise ValueError(f"{self.label.text} must be a real date, like 31 7 2013") from exc
        if self.plausible and (problem := date_problem(day, self.label.text, not_future=self.not_future)):
            raise ValueError(problem)
        self.data = day

    def _value(self):
        return self.data.strftime("%d %m %Y") if self.data else ""


def date_not_after(other: str):
    """Validator: this date is on or after the date in field `other`."""

    def check(form, field):
        start = getattr(form, other).data
        if field.data and start and field.data < start:
            raise ValidationError(f"{field.label.text} must be the same as or after {getattr(form, other).label.text}")

    return check


def show_problems(form, problems: dict[str, str]) -> None:
    """Put the problems of a refused change on the form's fields, for the error summary."""
    for field, problem in problems.items():
        target = getattr(form, field, None)
        if target is None:
            form.form_errors.append(problem)
        else:
            target.errors = [*target.errors, problem]


class MaxLength:
    """At most `max` characters, said with the field's own label."""

    def __init__(self, max: int):
        self.max = max
        self.field_flags = {"maxlength": max}

    def __call__(self, form, field):
        if field.data and len(field.data) > self.max:
            raise ValidationError(f"{field.label.text} must be {self.max} characters or fewer")
