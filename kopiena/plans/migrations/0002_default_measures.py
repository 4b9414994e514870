from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from kopiena.plans.catalogue import load_default_measures

    load_default_measures(apps.get_model("plans", "MeasureType"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
