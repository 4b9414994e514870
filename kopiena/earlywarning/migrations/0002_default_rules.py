"""Ship the default support rules of kopiena/earlywarning/defaults.py, with their sources.

Running it again updates the same default rules in place.
"""

from django.db import migrations


def install(apps, schema_editor):
    from kopiena.earlywarning.defaults import install_default_rules

    install_default_rules(apps.get_model("earlywarning", "SupportRule"))


class Migration(migrations.Migration):

    dependencies = [
        ("earlywarning", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
