"""The change history (django-auditlog) is append-only inside the application, like the access log."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from kopiena.access.models import AppendOnlyError


@receiver(pre_save, sender=LogEntry)
def refuse_change_history_update(sender: Any, instance: LogEntry, **kwargs: Any) -> None:
    if instance.pk is not None and not instance._state.adding:
        raise AppendOnlyError("The change history cannot be changed.")


@receiver(pre_delete, sender=LogEntry)
def refuse_change_history_delete(sender: Any, instance: LogEntry, **kwargs: Any) -> None:
    raise AppendOnlyError("The change history cannot be deleted.")
