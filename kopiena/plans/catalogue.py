"""The measure catalogue: the defaults shipped in ``plans/data/measures.json`` and each
municipality's own rows, which override a default with the same code."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.organisations.models import Organisation
from kopiena.plans.models import ApprovalStep, MeasureKind, MeasureType, MeasureUnit

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


# --- changes by a municipality (kopiena.plans.views.catalogue) -------------------------------

# Roles that may hold a step of a municipality's approval chain. The national level of
# PuMPuRS is not offered: national analysts see no named pupils in Kopiena.
APPROVER_ROLES: tuple[Role, ...] = (Role.SCHOOL_DIRECTOR, Role.SUPPORT_COORDINATOR,
                                    Role.MUNICIPALITY_COORDINATOR)
MAX_APPROVAL_STEPS = len(APPROVER_ROLES)


def _check_measure_fields(*, name_lv: str, name_en: str, unit: str,
                          unit_cost_eur: Decimal | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name_lv.strip():
        errors["name_lv"] = _("Write the name in Latvian.")
    if not name_en.strip():
        errors["name_en"] = _("Write the name in English.")
    if unit_cost_eur is not None:
        if unit == MeasureUnit.EUR:
            errors["unit_cost_eur"] = _("A compensation is planned in euros, so it has no "
                                        "unit cost. Leave the field empty.")
        elif unit_cost_eur < 0:
            errors["unit_cost_eur"] = _("The unit cost cannot be negative.")
    return errors


@transaction.atomic
def save_municipality_measure(*, municipality: Organisation, code: str, by: User,
                              name_lv: str, name_en: str, unit_cost_eur: Decimal | None,
                              is_active: bool) -> MeasureType:
    """Change a measure for the schools of ``municipality``: its own row with this code,
    created from the default on the first change. Plans already written keep their unit
    cost; new measures take the changed one."""
    own = MeasureType.objects.select_for_update().filter(municipality=municipality,
                                                         code=code).first()
    if own is None:
        default = MeasureType.objects.filter(municipality=None, code=code).first()
        if default is None:
            raise ValidationError(_("There is no such measure in the catalogue."))
        own = MeasureType(municipality=municipality, code=code, kind=default.kind,
                          unit=default.unit, min_pupil_age=default.min_pupil_age,
                          position=default.position)
    errors = _check_measure_fields(name_lv=name_lv, name_en=name_en, unit=own.unit,
                                   unit_cost_eur=unit_cost_eur)
    if errors:
        raise ValidationError(errors)
    own.name_lv, own.name_en = name_lv.strip(), name_en.strip()
    own.unit_cost_eur, own.is_active, own.changed_by = unit_cost_eur, is_active, by
    own.save()
    return own


@transaction.atomic
def add_municipality_measure(*, municipality: Organisation, by: User, code: str, name_lv: str,
                             name_en: str, kind: str, unit: str,
                             unit_cost_eur: Decimal | None = None,
                             min_pupil_age: int | None = None) -> MeasureType:
    """A measure of the municipality's own, in addition to the defaults."""
    errors = _check_measure_fields(name_lv=name_lv, name_en=name_en, unit=unit,
                                   unit_cost_eur=unit_cost_eur)
    code = code.strip().lower()
    if not code or not re.fullmatch(r"[a-z0-9_-]+", code):
        errors["code"] = _("Use small Latin letters, digits, '-' and '_' for the code.")
    elif MeasureType.objects.filter(Q(municipality=None) | Q(municipality=municipality),
                                    code=code).exists():
        errors["code"] = _("The catalogue already has a measure with this code.")
    if kind not in MeasureKind.values:
        errors["kind"] = _("Choose the kind of the measure.")
    if unit not in MeasureUnit.values:
        errors["unit"] = _("Choose the unit in which the measure is planned.")
    elif kind == MeasureKind.COMPENSATION and unit != MeasureUnit.EUR:
        errors["unit"] = _("A compensation is planned in euros.")
    elif kind != MeasureKind.COMPENSATION and unit == MeasureUnit.EUR:
        errors["unit"] = _("Consultations and sessions are planned in hours or sessions.")
    if errors:
        raise ValidationError(errors)
    last = MeasureType.objects.order_by("-position").values_list("position", flat=True).first()
    return MeasureType.objects.create(
        municipality=municipality, code=code, name_lv=name_lv.strip(), name_en=name_en.strip(),
        kind=kind, unit=unit, unit_cost_eur=unit_cost_eur, min_pupil_age=min_pupil_age,
        position=(last or 0) + 1, changed_by=by)


@transaction.atomic
def set_approval_chain(*, municipality: Organisation, roles: Sequence[str], by: User,
                       ) -> list[ApprovalStep]:
    """The roles that approve the plans of the municipality's schools after the author, in
    order. Plans already in approval continue from the step they reached."""
    if not municipality.is_municipality:
        raise ValidationError(_("An approval chain belongs to a municipality."))
    if not roles:
        raise ValidationError(_("Choose at least one approval step."))
    unknown = [r for r in roles if r not in APPROVER_ROLES]
    if unknown:
        raise ValidationError(_("This role cannot approve support plans."))
    if len(set(roles)) != len(roles):
        raise ValidationError(_("Each role can approve only once in the chain."))
    steps = []
    for position, role in enumerate(roles, start=1):
        step, _created = ApprovalStep.objects.update_or_create(
            municipality=municipality, position=position, defaults={"role": role})
        steps.append(step)
    for extra in ApprovalStep.objects.filter(municipality=municipality,
                                             position__gt=len(roles)):
        extra.delete()  # one by one, so the audit log records each
    return steps
