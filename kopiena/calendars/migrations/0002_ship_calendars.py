"""Ship the school-year calendars in kopiena/calendars/data/school_years.json.

Uses the historical models; running it again (or ``manage.py load_school_calendars``) updates
the same years in place.
"""

from django.db import migrations


def load_calendars(apps, schema_editor):
    from kopiena.calendars.loading import CalendarModels, load_school_years

    load_school_years(
        models=CalendarModels(
            school_year=apps.get_model("calendars", "SchoolYear"),
            semester=apps.get_model("calendars", "Semester"),
            non_school_day=apps.get_model("calendars", "NonSchoolDay"),
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ("calendars", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_calendars, migrations.RunPython.noop),
    ]
