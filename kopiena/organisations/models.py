"""Organisations: national agencies, municipalities, education institutions, partner agencies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    NATIONAL_AGENCY = "national_agency", _("National agency")
    MUNICIPALITY = "municipality", _("Municipality")
    PRESCHOOL = "preschool", _("Pre-school")
    PRIMARY_SCHOOL = "primary_school", _("Primary school")
    BASIC_SCHOOL = "basic_school", _("Basic school")
    SECONDARY_SCHOOL = "secondary_school", _("Secondary school")
    GYMNASIUM = "gymnasium", _("Gymnasium")
    VOCATIONAL_SCHOOL = "vocational_school", _("Vocational school")
    MUSIC_ART_SCHOOL = "music_art_school", _("Music or art school")
    SOCIAL_SERVICE = "social_service", _("Social service")
    ORPHANS_COURT = "orphans_court", _("Orphans' court")
    MUNICIPAL_POLICE = "municipal_police", _("Municipal police")
    YOUTH_CENTRE = "youth_centre", _("Youth centre")
    HEALTH_CARE = "health_care", _("Health care")
    NGO = "ngo", _("Non-governmental organisation")


EDUCATION_INSTITUTION_KINDS = frozenset(
    {
        OrganisationKind.PRESCHOOL,
        OrganisationKind.PRIMARY_SCHOOL,
        OrganisationKind.BASIC_SCHOOL,
        OrganisationKind.SECONDARY_SCHOOL,
        OrganisationKind.GYMNASIUM,
        OrganisationKind.VOCATIONAL_SCHOOL,
        OrganisationKind.MUSIC_ART_SCHOOL,
    }
)
PARTNER_AGENCY_KINDS = frozenset(
    {
        OrganisationKind.SOCIAL_SERVICE,
        OrganisationKind.ORPHANS_COURT,
        OrganisationKind.MUNICIPAL_POLICE,
        OrganisationKind.YOUTH_CENTRE,
        OrganisationKind.HEALTH_CARE,
        OrganisationKind.NGO,
    }
)

registration_code_validator = RegexValidator(
    r"^\d{10,11}$", _("A registration code has 10 or 11 digits."), code="registration_code"
)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=32, choices=OrganisationKind.choices)
    registration_code = models.CharField(
        _("registration code"), max_length=11, unique=True,
        validators=[registration_code_validator],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organisation"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["parent", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_school(self) -> bool:
        return self.kind in EDUCATION_INSTITUTION_KINDS

    @property
    def is_partner_agency(self) -> bool:
        return self.kind in PARTNER_AGENCY_KINDS

    @property
    def is_municipality(self) -> bool:
        return self.kind == OrganisationKind.MUNICIPALITY

    @property
    def municipality_id(self) -> int | None:
        """The municipality this organisation belongs to (itself for a municipality)."""
        if self.is_municipality:
            return self.pk
        if self.parent is not None and self.parent.is_municipality:
            return self.parent_id
        return None

    def clean(self) -> None:
        super().clean()
        parent_kind = self.parent.kind if self.parent is not None else None
        if self.kind == OrganisationKind.NATIONAL_AGENCY and self.parent is not None:
            raise ValidationError({"parent": _("A national agency has no parent organisation.")})
        if self.kind == OrganisationKind.MUNICIPALITY and parent_kind not in (
            None, OrganisationKind.NATIONAL_AGENCY,
        ):
            raise ValidationError(
                {"parent": _("A municipality can only belong to a national agency.")}
            )
        if self.kind in PARTNER_AGENCY_KINDS and parent_kind != OrganisationKind.MUNICIPALITY:
            raise ValidationError(
                {"parent": _("A partner agency must be attached to a municipality.")}
            )
        if self.kind in EDUCATION_INSTITUTION_KINDS and parent_kind not in (
            OrganisationKind.MUNICIPALITY, OrganisationKind.NATIONAL_AGENCY,
        ):
            raise ValidationError(
                {"parent": _("An education institution belongs to a municipality "
                             "(or, for state schools, to a national agency).")}
            )
