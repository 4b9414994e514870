"""English is the source language: its catalogue repeats every msgid, so it is complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = ("Fill the source-language catalogue (default en) with msgstr = msgid for every "
            "entry and clear fuzzy flags. Run after makemessages.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--language", default="en")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.LOCALE_PATHS[0]) / options["language"] / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        catalogue.save()
        self.stdout.write(f"{path}: {len(catalogue)} entries filled.")
