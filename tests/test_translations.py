"""Latvian and English catalogues are complete, and current with the source."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
MAKEMESSAGES_ARGS = ["--no-obsolete", "--ignore=var/*", "--ignore=tests/*",
                     "--ignore=benchmarks/*"]


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["lv", "en"])
def test_catalogue_is_complete(language: str) -> None:
    catalogue = _catalogue(language)
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == [], f"untranslated in {language}: {untranslated[:20]}"
    assert fuzzy == [], f"fuzzy in {language}: {fuzzy[:20]}"


def test_latvian_is_really_latvian() -> None:
    catalogue = _catalogue("lv")
    same = [e.msgid for e in catalogue if e.msgstr == e.msgid and len(e.msgid) > 12]
    assert len(same) < 0.05 * len(catalogue), same[:20]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) not installed")
def test_catalogues_hold_every_string_of_the_source(tmp_path: Path) -> None:
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy)
    env = {**os.environ, "KOPIENA_LOCALE_DIR": str(copy), "DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "lv", *MAKEMESSAGES_ARGS],
        cwd=settings.BASE_DIR, env=env, check=True, capture_output=True,
    )
    extracted = {e.msgid for e in polib.pofile(str(copy / "lv/LC_MESSAGES/django.po"))}
    for language in ("lv", "en"):
        present = {e.msgid for e in _catalogue(language) if not e.obsolete}
        missing = sorted(extracted - present)
        assert missing == [], f"run `make messages`; missing in {language}: {missing[:20]}"
