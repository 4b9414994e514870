"""Which users must use two-factor authentication."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings

from kopiena.accounts.models import User
from kopiena.accounts.roles import Role, sees_named_pupils

DEMO_DOMAIN = "@demo.kopiena.lv"


def roles_requiring_mfa() -> frozenset[Role]:
    roles: set[Role] = set()
    for item in settings.MFA_REQUIRED_ROLES:
        if item == "*named-pupils*":
            roles |= {r for r in Role if sees_named_pupils(r)}
        elif item == "*all*":
            roles |= set(Role)
        else:
            roles.add(Role(item))
    return frozenset(roles)


def mfa_required(user: User) -> bool:
    if settings.MFA_EXEMPT_DEMO_PERSONAS and user.email.endswith(DEMO_DOMAIN):
        return False
    return bool(user.roles & roles_requiring_mfa())


def has_mfa(user: User) -> bool:
    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())
