"""School-year calendars as data: school days, holidays, semesters, per school year."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SchoolYear(models.Model):
    name = models.CharField(_("name"), max_length=9, unique=True, help_text="2026/27")
    starts_on = models.DateField(_("first school day"))
    ends_on = models.DateField(_("last school day (most grades)"))
    ends_on_grade_9 = models.DateField(_("last school day, grade 9"), null=True, blank=True)
    ends_on_grade_12 = models.DateField(_("last school day, grade 12"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_provisional = models.BooleanField(
        _("provisional"), default=False,
        help_text=_("Dates not yet confirmed from the regulation."),
    )

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.starts_on >= self.ends_on:
            raise ValidationError(_("The school year must end after it starts."))

    def last_day_for_grade(self, grade: int) -> dt.date:
        if grade == 9 and self.ends_on_grade_9:
            return self.ends_on_grade_9
        if grade == 12 and self.ends_on_grade_12:
            return self.ends_on_grade_12
        return self.ends_on


class Semester(models.Model):
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="semesters")
    number = models.PositiveSmallIntegerField(_("number"), choices=[(1, "1"), (2, "2")])
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))

    class Meta:
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        ordering = ["school_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="unique_semester")
        ]

    def __str__(self) -> str:
        return f"{self.school_year} · {self.number}."


class NonSchoolDay(models.Model):
    """A holiday period or a public holiday on which no lessons take place."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("School holidays")
        PUBLIC_HOLIDAY = "public_holiday", _("Public holiday")
        OTHER = "other", _("Other day without lessons")

    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="non_school_days"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    grades = models.CharField(
        pgettext_lazy("grade levels", "grades"), max_length=60, blank=True,
        help_text=_("Empty for all grades, or a comma-separated list such as 12."),
    )
    is_provisional = models.BooleanField(_("provisional"), default=False)

    class Meta:
        verbose_name = _("day without lessons")
        verbose_name_plural = _("days without lessons")
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on}–{self.ends_on})"

    def applies_to(self, grade: int | None) -> bool:
        if not self.grades:
            return True
        return grade is not None and str(grade) in {g.strip() for g in self.grades.split(",")}
