from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kopiena.core.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"navigation": navigation_for(request)}
