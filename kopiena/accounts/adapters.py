from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Accounts are created by administrators; nobody signs up on their own."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
