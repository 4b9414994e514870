from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class KopienaAdminSite(admin.AdminSite):
    """The Django admin, for system administrators only. Pupil data is not registered here."""

    site_header = _("Kopiena administration")
    site_title = _("Kopiena administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_system_admin", False))
