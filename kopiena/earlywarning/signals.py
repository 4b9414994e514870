"""Sent after a recompute has committed, for notifications and screens that follow changes."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with: events (list[SupportLevelEvent]) written by one recompute.
support_levels_changed = Signal()

# Sent with: cases (list[StatutoryThresholdCase]) opened by one recompute.
statutory_threshold_crossed = Signal()
