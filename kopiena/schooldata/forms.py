"""The upload form of the school data page, and what each kind of file is, in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db.models import QuerySet
from django.forms.boundfield import BoundWidget
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kopiena.organisations.models import Organisation
from kopiena.schooldata.importing.columns import COLUMNS, Column
from kopiena.schooldata.models import ImportKind

MEGABYTE = 1024 * 1024
# Larger files are refused before they are stored (split them, e.g. one file per month).
MAX_UPLOAD_BYTES = 200 * MEGABYTE
MAX_UPLOAD_MEGABYTES = MAX_UPLOAD_BYTES // MEGABYTE
ALLOWED_EXTENSIONS = (".csv", ".xlsx")
ACCEPT = ",".join(
    [*ALLOWED_EXTENSIONS, "text/csv",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
)


@dataclass(frozen=True)
class KindInfo:
    """What a file of one kind holds, in plain words, for the people who export it; its
    columns are the importer's (the tables of shared/specs/school-data-v1.md)."""

    kind: ImportKind
    description: str | Promise

    @property
    def label(self) -> str | Promise:
        return self.kind.label

    @property
    def columns(self) -> tuple[Column, ...]:
        return COLUMNS[self.kind]


KINDS: dict[str, KindInfo] = {
    info.kind.value: info
    for info in (
        KindInfo(
            ImportKind.PUPILS,
            _("The list of pupils: one row per pupil, with class, birth date and the dates of "
              "enrolment. Upload it first and whenever pupils join or leave: the other files "
              "refer to these pupils."),
        ),
        KindInfo(
            ImportKind.ATTENDANCE_DAYS,
            _("Attendance by day: one row per pupil and school day, with the number of lessons "
              "and how many of them were missed (excused or unexcused) or late."),
        ),
        KindInfo(
            ImportKind.ATTENDANCE_LESSONS,
            _("Attendance by lesson, as the class register exports it: one row per pupil and "
              "lesson, with the mark (for example n, ns or k). Kopiena adds the lessons up per "
              "day."),
        ),
        KindInfo(
            ImportKind.GRADES,
            _("Grades: one row per grade, with the date, the subject and the kind of grade "
              "(ongoing, term, annual or examination)."),
        ),
        KindInfo(
            ImportKind.BEHAVIOUR,
            _("Behaviour: one row per incident, with the date, a category and how serious it "
              "was (1 to 3). Notes are shown only to staff who may see them."),
        ),
    )
}


def too_large_message() -> str:
    return gettext(
        "The file is larger than %(limit)s MB. Split it into smaller files (for example one "
        "per month) and upload them one after another."
    ) % {"limit": MAX_UPLOAD_MEGABYTES}


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops storing an uploaded file as soon as it passes the limit; the other fields of the
    form still arrive, so the page can keep the user's choices and explain the limit."""

    def __init__(self, request: HttpRequest | None = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = MAX_UPLOAD_BYTES if limit is None else limit
        self.exceeded = False
        self._received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received += len(raw_data)
        if self._received > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class SchoolChoiceField(forms.ModelChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class UploadForm(forms.Form):
    max_upload_megabytes = MAX_UPLOAD_MEGABYTES

    school = SchoolChoiceField(
        queryset=Organisation.objects.none(), label=_("School"),
        empty_label=_("Choose the school"),
        error_messages={"required": _("Choose the school the file is for."),
                        "invalid_choice": _("Choose one of your schools.")},
    )
    kind = forms.ChoiceField(
        choices=ImportKind.choices, widget=forms.RadioSelect, label=_("What is in the file?"),
        error_messages={"required": _("Choose what the file holds.")},
    )
    file = forms.FileField(
        label=_("File"), required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, schools: QuerySet[Organisation],
                 file_too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.file_too_large = file_too_large
        self.single_school: Organisation | None = None
        if len(schools) == 1:
            self.single_school = schools[0]
            self.fields["school"].initial = self.single_school.pk
            self.fields["school"].widget = forms.HiddenInput()

    def kind_options(self) -> list[tuple[BoundWidget, KindInfo]]:
        """Each radio button with the plain explanation of its kind of file."""
        return [(radio, KINDS[str(radio.data["value"])]) for radio in self["kind"]]

    def clean_file(self) -> UploadedFile:
        uploaded: UploadedFile | None = self.cleaned_data.get("file")
        if self.file_too_large:
            raise forms.ValidationError(too_large_message(), code="too_large")
        if uploaded is None:
            raise forms.ValidationError(
                _("Choose the file to upload: a CSV or Excel (.xlsx) file."), code="required"
            )
        name = (uploaded.name or "").lower()
        if not name.endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError(
                _("Kopiena reads CSV and Excel (.xlsx) files. Save the export in one of these "
                  "formats and upload it again (older .xls files: open them and save as "
                  ".xlsx)."),
                code="extension",
            )
        if uploaded.size is not None and uploaded.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(too_large_message(), code="too_large")
        if not uploaded.size:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return uploaded
