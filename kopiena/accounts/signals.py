from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from kopiena.accounts.middleware import LOGIN_AT_KEY


@receiver(user_logged_in)
def remember_login_time(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    request.session[LOGIN_AT_KEY] = int(time.time())
