"""Absolute session lifetime and per-role MFA enforcement."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from kopiena.accounts.mfa import has_mfa, mfa_required
from kopiena.accounts.models import User

LOGIN_AT_KEY = "kopiena_login_at"


class SessionLifetimeMiddleware:
    """Ends a session a fixed time after login, however active it was (idle expiry is
    SESSION_COOKIE_AGE, renewed on every request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            login_at = request.session.get(LOGIN_AT_KEY)
            if login_at is None:
                request.session[LOGIN_AT_KEY] = int(time.time())
            elif time.time() - float(login_at) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class RequireMfaMiddleware:
    """Users whose roles require MFA can only reach the MFA set-up pages until they set it up."""

    ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and mfa_required(user)
            and not has_mfa(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
