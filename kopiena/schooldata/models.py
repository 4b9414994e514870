"""What the class registers export: attendance per pupil-day, grades, behaviour incidents;
and the record of every import. Format: shared/specs/school-data-v1.md."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Pupil


class ImportKind(models.TextChoices):
    PUPILS = "pupils", _("Pupils")
    ATTENDANCE_DAYS = "attendance-days", _("Attendance by day")
    ATTENDANCE_LESSONS = "attendance-lessons", _("Attendance by lesson")
    GRADES = "grades", _("Grades")
    BEHAVIOUR = "behaviour", _("Behaviour")


class AttendanceDay(models.Model):
    """One pupil's school day: lessons scheduled, missed (excused / unexcused), late."""

    # No single-column indexes: (pupil, date) and (school, date) cover them, and every index
    # slows the bulk import of millions of rows.
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="attendance_days",
                              db_index=False)
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    date = models.DateField(_("date"))
    lessons_scheduled = models.PositiveSmallIntegerField(
        _("lessons scheduled"), validators=[MaxValueValidator(12)]
    )
    absent_excused = models.PositiveSmallIntegerField(_("excused absences"), default=0)
    absent_unexcused = models.PositiveSmallIntegerField(_("unexcused absences"), default=0)
    late = models.PositiveSmallIntegerField(_("late arrivals"), default=0)

    class Meta:
        verbose_name = _("attendance day")
        verbose_name_plural = _("attendance days")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "date"], name="unique_attendance_day"),
        ]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.date}"


class GradeKind(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    TERM = "term", _("Term")
    ANNUAL = "annual", _("Annual")
    EXAM = "exam", _("Examination")


class Grade(models.Model):
    # Covered by the unique (pupil, date, subject, kind) and the (school, date) index.
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="grades",
                              db_index=False)
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    date = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=100)
    value = models.CharField(_("grade"), max_length=3)  # 1-10, nv, S, T, A, P, i, ni
    kind = models.CharField(_("kind"), max_length=10, choices=GradeKind.choices,
                            default=GradeKind.ONGOING)
    # Derived at import: the 10-point value (None for levels and marks), insufficiency.
    points = models.PositiveSmallIntegerField(null=True, blank=True)
    is_insufficient = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "date", "subject", "kind"],
                                    name="unique_grade"),
        ]
        indexes = [models.Index(fields=["pupil", "date"]), models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.date} {self.subject} {self.value}"


class BehaviourIncident(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="behaviour_incidents")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=40)
    severity = models.PositiveSmallIntegerField(
        _("severity"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    note = models.TextField(_("note"), blank=True)  # sensitive: VIEW_SENSITIVE only

    class Meta:
        verbose_name = _("behaviour incident")
        verbose_name_plural = _("behaviour incidents")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "date", "category"],
                                    name="unique_behaviour_incident"),
        ]
        indexes = [models.Index(fields=["pupil", "date"])]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.date} {self.category}"


class AttendanceMark(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused absence")
    UNEXCUSED = "unexcused", _("Unexcused absence")
    LATE = "late", _("Late")


class MarkAlias(models.Model):
    """A school's own spelling of an attendance mark (adds to or overrides the spec's table)."""

    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="mark_aliases")
    alias = models.CharField(_("mark as exported"), max_length=20)
    meaning = models.CharField(_("meaning"), max_length=10, choices=AttendanceMark.choices)

    class Meta:
        verbose_name = _("attendance mark alias")
        verbose_name_plural = _("attendance mark aliases")
        constraints = [
            models.UniqueConstraint(fields=["school", "alias"], name="unique_mark_alias"),
        ]

    def __str__(self) -> str:
        return f"{self.alias} → {self.meaning}"


class ImportRun(models.Model):
    """One file imported (or tried): who, when, what, counts, every error."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded, checking")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        REFUSED = "refused", _("Refused: errors found, nothing written")
        QUEUED = "queued", _("Waiting to be applied")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        CANCELLED = "cancelled", _("Cancelled, nothing written")
        FAILED = "failed", _("Failed, nothing written")

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.UPLOADED)
    file_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    dry_run = models.BooleanField(default=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    schools = models.ManyToManyField(Organisation, related_name="imports", blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=list, blank=True)  # first rows, for the confirm page
    progress_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"
