from __future__ import annotations

from django.contrib import admin

from kopiena.organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "registration_code", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "registration_code"]
    autocomplete_fields = ["parent"]
