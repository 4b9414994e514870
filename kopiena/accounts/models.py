"""Users log in by e-mail; what they may do comes from their memberships (organisation, role)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kopiena.accounts.roles import ALLOWED_ORGANISATION_KINDS, CAPABILITIES, Capability, Role
from kopiena.organisations.models import Organisation


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def active_memberships(self) -> list[Membership]:
        """Memberships in force today, with their organisations (cached per request object)."""
        return list(self._active_memberships)

    @cached_property
    def _active_memberships(self) -> tuple[Membership, ...]:
        today = timezone.localdate()
        qs = (
            self.memberships.filter(is_active=True, organisation__is_active=True)
            .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=today))
            .select_related("organisation", "organisation__parent")
        )
        return tuple(qs)

    @cached_property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(m.role) for m in self._active_memberships)

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def can(self, capability: Capability) -> bool:
        return any(capability in CAPABILITIES[r] for r in self.roles)

    @property
    def is_system_admin(self) -> bool:
        return Role.SYSTEM_ADMIN in self.roles


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    def clean(self) -> None:
        super().clean()
        if self.organisation_id is None or not self.role:
            return
        allowed = ALLOWED_ORGANISATION_KINDS[Role(self.role)]
        if self.organisation.kind not in allowed:
            raise ValidationError(
                {"role": _("This role cannot be held in an organisation of this type.")}
            )
