from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LatvianFirstLocaleMiddleware(LocaleMiddleware):
    """Latvian unless the user chose English with the header switch (the language cookie).

    The browser's Accept-Language is ignored on purpose: the interface is Latvian by default,
    whatever language the workstation's browser happens to be set to.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
