from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovFileInput, GovSelect, GovSubmitInput
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from tff.imports.kinds import FORMATS
from tff.imports.reader import CHUNK_SIZE

#: what browsers send for a .csv file (Windows with Excel says it is an Excel file)
CSV_TYPES = {"application/csv", "application/vnd.ms-excel", "application/octet-stream", ""}

#: the first bytes of an upload looked at before it is stored
HEAD_BYTES = 8192

#: how the files most often chosen by mistake begin: spreadsheets, archives, images, PDFs
BINARY_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x1f\x8b")


def csv_content(form, field):
    upload = field.data
    mimetype = (getattr(upload, "mimetype", "") or "").lower()
    if not (mimetype.startswith("text/") or mimetype in CSV_TYPES):
        raise ValidationError("The file must be a CSV file: save the spreadsheet as “CSV UTF-8” first")
    # The name and type are the browser's guess from the extension: look at the bytes too, so
    # a renamed spreadsheet or image is refused here and never stored: its first bytes, then
    # every byte for a NUL (the import refuses such a file as well, whichever way it came).
    head = upload.stream.read(HEAD_BYTES)
    upload.stream.seek(0)
    if head.startswith(BINARY_STARTS):
        raise ValidationError(
            "The file is not a CSV file, whatever its name says: save the spreadsheet as “CSV UTF-8” first"
        )
    line = _nul_line(upload.stream)
    upload.stream.seek(0)
    if line is not None:
        raise ValidationError(
            f"Line {line:,} holds a NUL byte (\\x00): the file is not a CSV file of plain text, whatever its "
            "name says. Save it as “CSV UTF-8” and import it again"
        )


def _nul_line(stream) -> int | None:
    """The line of a binary stream's first NUL byte (None when it has none), read a chunk at a
    time: a large upload is looked at whole without being held whole."""
    lines = 1
    while chunk := stream.read(CHUNK_SIZE):
        at = chunk.find(b"\x00")
        if at >= 0:
            return lines + chunk.count(b"\n", 0, at)
        lines += chunk.count(b"\n")
    return None


class ImportForm(FlaskForm):
    kind = SelectField(
        "What the file holds",
        choices=[SelectChoice("", "Choose a format")]
        + [SelectChoice(name, fmt.title) for name, fmt in FORMATS.items()],
        widget=GovSelect(),
        validators=[InputRequired(message="Choose what the file holds")],
    )
    file = FileField(
        "The CSV file",
        widget=GovFileInput(),
        description="A .csv file in UTF-8, with a header row naming the columns.",
        validators=[
            FileRequired(message="Choose a CSV file to import"),
            FileAllowed(["csv", "txt"], message="The file must be a CSV file, ending .csv"),
            csv_content,
        ],
    )
    dry_run = BooleanField(
        "Check the file only (a dry run): change nothing, and list the rows that would be rejected",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Import the file", widget=GovSubmitInput())
