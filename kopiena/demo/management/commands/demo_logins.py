"""``manage.py demo_logins``: the demo personas, their roles and organisations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kopiena.demo.personas import DEFAULT_PASSWORD, PERSONAS
from kopiena.organisations.models import Organisation


class Command(BaseCommand):
    help = _("List the demo personas (e-mail, role, organisation) and the password to use.")

    def handle(self, *args: Any, **options: Any) -> None:
        names = dict(
            Organisation.objects.filter(
                registration_code__in={p.organisation_code for p in PERSONAS}
            ).values_list("registration_code", "name")
        )
        rows = [
            (p.email, str(p.role.label),
             names.get(p.organisation_code, p.organisation_code)
             + (f" · {p.class_label}" if p.class_label else ""),
             str(p.description))
            for p in PERSONAS
        ]
        headers = (_("E-mail"), _("Role"), _("Organisation"), _("Description"))
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(3)]
        for row in [headers, *rows]:
            cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, str(row[3])]).rstrip())
        self.stdout.write("")
        self.stdout.write(_(
            "Password: %(password)s (unless seed_demo was run with --password). "
            "Personas need no second factor while DEBUG is on."
        ) % {"password": DEFAULT_PASSWORD})
        if not names:
            self.stdout.write(self.style.WARNING(
                _("The demo data does not exist yet: run manage.py seed_demo.")
            ))
