"""Sent after an import has been applied (on commit), so that indicators follow the data."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with: run (ImportRun), pupil_ids (set[int]) whose data changed,
# first_date / last_date (datetime.date | None): the span of dates the change touched.
school_data_changed = Signal()
