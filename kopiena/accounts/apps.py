from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kopiena.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kopiena.accounts import checks, signals  # noqa: F401
        from kopiena.accounts.models import Membership, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(Membership)
