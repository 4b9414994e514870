from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "kopiena.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from kopiena.earlywarning.signals import support_levels_changed
        from kopiena.inbox import receivers

        support_levels_changed.connect(receivers.on_support_levels_changed,
                                       dispatch_uid="inbox.levels_raised")
