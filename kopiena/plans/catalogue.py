"""The measure catalogue: the defaults shipped in ``plans/data/measures.json`` and each
municipality's own rows, which override a default with the same code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kopiena.organisations.models import Organisation
from kopiena.plans.models import MeasureType

DATA_FILE = Path(__file__).parent / "data" / "measures.json"


def shipped_measures() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return list(data["measures"])


def load_default_measures(model: Any = MeasureType) -> int:
    """Create or refresh the default catalogue rows (used by the data migration)."""
    for position, row in enumerate(shipped_measures()):
        model.objects.update_or_create(
            municipality=None, code=row["code"],
            defaults={"name_lv": row["name_lv"], "name_en": row["name_en"], "kind": row["kind"],
                      "unit": row["unit"], "min_pupil_age": row.get("min_pupil_age"),
                      "position": position},
        )
    return len(shipped_measures())


def catalogue_for(municipality: Organisation | int | None) -> list[MeasureType]:
    """The measures a school of ``municipality`` may plan: its own rows replace the defaults
    with the same code; inactive rows are left out."""
    municipality_id = municipality.pk if isinstance(municipality, Organisation) else municipality
    rows = {m.code: m for m in MeasureType.objects.filter(municipality=None)}
    if municipality_id is not None:
        rows.update({m.code: m for m in MeasureType.objects.filter(municipality_id=municipality_id)})
    return sorted((m for m in rows.values() if m.is_active), key=lambda m: (m.position, m.code))
