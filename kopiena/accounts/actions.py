"""Account changes as plain functions (views, commands and tests call these)."""

from __future__ import annotations

from django.db import transaction

from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.organisations.models import Organisation


def make_system_admin(*, email: str, organisation: Organisation, password: str | None) -> User:
    """Create or update a system administrator: Django admin access plus the role."""
    with transaction.atomic():
        user, _created = User.objects.get_or_create(email=email.strip().lower())
        user.is_active = True
        user.is_staff = True
        user.is_superuser = True
        if password:
            user.set_password(password)
        elif not user.has_usable_password():
            user.set_unusable_password()
        user.save()
        Membership.objects.update_or_create(
            user=user, organisation=organisation, role=Role.SYSTEM_ADMIN,
            defaults={"is_active": True, "valid_to": None},
        )
    return user
