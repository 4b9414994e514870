"""Arguments shared by the early-warning commands."""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kopiena.organisations.models import Organisation


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a date; write it as YYYY-MM-DD.") % {"value": text}
        ) from error


def school_by_code(code: str) -> Organisation:
    school = Organisation.objects.filter(registration_code=code).select_related("parent").first()
    if school is None or not school.is_school:
        raise CommandError(
            _("There is no school with the registration code %(code)s.") % {"code": code}
        )
    return school
