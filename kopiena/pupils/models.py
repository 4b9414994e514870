"""Pupils, their classes, enrolment history and guardians.

Pupil rows are never read directly by views: ``kopiena.access.scoping.visible_pupils`` is the
only way in.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopiena.calendars.models import SchoolYear
from kopiena.organisations.models import Organisation
from kopiena.pupils import crypto
from kopiena.pupils.personal_code import PersonalCode


def fold(text: str) -> str:
    """Lower-case, diacritics removed: 'Bērziņš' -> 'berzins' (for search)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class Programme(models.TextChoices):
    GENERAL = "general", _("General education")
    VET = "vet", _("Vocational education")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other or not stated")


class SchoolClass(models.Model):
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="classes"
    )
    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.PROTECT,
        related_name="classes",
    )
    label = models.CharField(
        _("class"), max_length=12,
        validators=[RegexValidator(r"^\d{1,2}\.[a-zāčēģīķļņšūž]{1,3}$",
                                   _("Write the class as grade, dot and letter, e.g. 7.b."))],
    )
    grade = models.PositiveSmallIntegerField(
        _("grade level"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    programme = models.CharField(
        _("programme"), max_length=10, choices=Programme.choices, default=Programme.GENERAL
    )
    staff: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ClassStaff", related_name="classes"
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["grade", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "label"], name="unique_class_per_year"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def grade_display(self) -> str:
        """`7` for general education, `K2` for the second vocational course."""
        return f"K{self.grade}" if self.programme == Programme.VET else str(self.grade)


class ClassStaff(models.Model):
    class Kind(models.TextChoices):
        CLASS_TEACHER = "class_teacher", _("Class teacher")
        SUBJECT_TEACHER = "subject_teacher", _("Subject teacher")

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="staff_assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_assignments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("class assignment")
        verbose_name_plural = _("class assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "user", "kind", "subject"], name="unique_class_staff"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_class} · {self.user} · {self.get_kind_display()}"


class Pupil(models.Model):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, default=Gender.OTHER
    )
    personal_code_ciphertext = models.TextField(blank=True, editable=False)
    personal_code_digest = models.CharField(max_length=64, blank=True, editable=False,
                                            db_index=True)
    # Current placement (denormalised from the open enrolment, for scoping and lists).
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="pupils",
        null=True, blank=True,
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.SET_NULL, related_name="pupils",
        null=True, blank=True,
    )
    programme = models.CharField(
        _("programme"), max_length=10, choices=Programme.choices, default=Programme.GENERAL
    )
    search_name = models.CharField(max_length=210, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["school", "last_name", "first_name"]),
            models.Index(fields=["school_class", "last_name"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = self.compute_search_name(self.first_name, self.last_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @staticmethod
    def compute_search_name(first_name: str, last_name: str) -> str:
        return fold(f"{first_name} {last_name} {last_name} {first_name}")

    def set_personal_code(self, code: PersonalCode | None) -> None:
        if code is None:
            self.personal_code_ciphertext = ""
            self.personal_code_digest = ""
        else:
            self.personal_code_ciphertext = crypto.seal(code.digits)
            self.personal_code_digest = crypto.digest(code.digits)

    @property
    def has_personal_code(self) -> bool:
        return bool(self.personal_code_ciphertext)

    def age_on(self, day: dt.date) -> int:
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)


class Enrolment(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="enrolments")
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT,
        related_name="enrolments",
    )
    source_id = models.CharField(
        _("register's pupil identifier"), max_length=64,
        help_text=_("The class register's stable identifier of the pupil in this school."),
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.SET_NULL, null=True, blank=True
    )
    enrolled_from = models.DateField(_("enrolled from"))
    enrolled_to = models.DateField(_("left on"), null=True, blank=True)
    leaving_reason = models.CharField(_("leaving reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_from"]
        constraints = [
            models.UniqueConstraint(fields=["school", "source_id"], name="unique_source_id"),
            models.CheckConstraint(
                condition=models.Q(enrolled_to__isnull=True)
                | models.Q(enrolled_to__gte=models.F("enrolled_from")),
                name="enrolment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} · {self.school} · {self.enrolled_from}"


class Guardian(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        FOSTER_FAMILY = "foster_family", _("Foster family")
        INSTITUTION = "institution", _("Care institution")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PupilGuardian(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GUARDIAN = "guardian", _("Guardian")
        FOSTER_FAMILY = "foster_family", _("Foster family")
        CARE_INSTITUTION = "care_institution", _("Care institution")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER = "other", _("Other")

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="pupil_links")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    has_custody = models.BooleanField(_("has custody"), default=True)
    is_primary_contact = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("guardian of pupil")
        verbose_name_plural = _("guardians of pupils")
        ordering = ["-is_primary_contact", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "guardian"], name="unique_pupil_guardian")
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.get_relation_display()})"
