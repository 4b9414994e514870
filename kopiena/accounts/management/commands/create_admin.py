from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kopiena.accounts.actions import make_system_admin
from kopiena.organisations.models import Organisation, OrganisationKind


class Command(BaseCommand):
    help = (
        "Create (or update) a system administrator: a user with Django admin access and the "
        "system-administrator role in the given organisation. Asks for the password unless "
        "--no-password is given (then the user sets it with 'Forgot password')."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The administrator's e-mail address (the login).")
        parser.add_argument(
            "--organisation", required=True,
            help="Registration code of the organisation the role is held in.",
        )
        parser.add_argument(
            "--create-municipality", metavar="NAME",
            help="Create the organisation as a municipality with this name if it does not exist.",
        )
        parser.add_argument("--no-password", action="store_true",
                            help="Do not ask for a password.")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["organisation"]
        organisation = Organisation.objects.filter(registration_code=code).first()
        if organisation is None and options["create_municipality"]:
            organisation = Organisation(
                registration_code=code, name=options["create_municipality"],
                kind=OrganisationKind.MUNICIPALITY,
            )
            try:
                organisation.full_clean()
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            organisation.save()
        if organisation is None:
            raise CommandError(f"No organisation with registration code {code}.")
        password = None
        if not options["no_password"]:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        user = make_system_admin(email=options["email"], organisation=organisation,
                                 password=password)
        self.stdout.write(f"{user.email} is a system administrator of {organisation}.")
