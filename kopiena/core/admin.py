"""The change history in the admin shows organisational records only, never pupil data."""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

PUPIL_DATA_APPS = ("pupils", "access")


class OrganisationalLogEntryAdmin(LogEntryAdmin):  # type: ignore[misc]
    def get_queryset(self, request: HttpRequest) -> QuerySet[LogEntry]:
        qs: QuerySet[LogEntry] = super().get_queryset(request)
        return qs.exclude(content_type__app_label__in=PUPIL_DATA_APPS)


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, OrganisationalLogEntryAdmin)
