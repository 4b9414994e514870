"""Start-up checks of account settings, so that a typo fails at deploy time, not per request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from kopiena.accounts.roles import Role

MFA_ROLE_GROUPS = {"*named-pupils*", "*all*"}


@register()
def check_mfa_required_roles(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    known = MFA_ROLE_GROUPS | set(Role.values)
    return [
        Error(
            f"MFA_REQUIRED_ROLES names an unknown role: {item!r}",
            hint="Use role codes from kopiena/accounts/roles.py, *named-pupils* or *all*.",
            id="kopiena.E001",
        )
        for item in settings.MFA_REQUIRED_ROLES
        if item not in known
    ]
