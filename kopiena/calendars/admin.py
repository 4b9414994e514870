from __future__ import annotations

from django.contrib import admin

from kopiena.calendars.models import NonSchoolDay, SchoolYear, Semester


class SemesterInline(admin.TabularInline[Semester, SchoolYear]):
    model = Semester
    extra = 0


class NonSchoolDayInline(admin.TabularInline[NonSchoolDay, SchoolYear]):
    model = NonSchoolDay
    extra = 0


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin[SchoolYear]):
    list_display = ["name", "starts_on", "ends_on", "is_provisional"]
    inlines = [SemesterInline, NonSchoolDayInline]
