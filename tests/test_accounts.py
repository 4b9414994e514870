"""Login by e-mail, lockout, MFA enforcement per role, session lifetime, deactivation."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kopiena.accounts.middleware import LOGIN_AT_KEY
from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from tests import people as P

PASSWORD = "kopiena-demo"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db: None) -> None:
    cache.clear()


def _login(client: Client, email: str, password: str) -> Any:
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_persona_logs_in_by_email(db: None) -> None:
    client = Client()
    response = _login(client, P.TEACHER_A, PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_session_key_rotates_at_login(db: None) -> None:
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    _login(client, P.TEACHER_A, PASSWORD)
    assert client.session.session_key != before


def test_wrong_password_is_refused_with_a_message(db: None) -> None:
    response = _login(Client(), P.TEACHER_A, "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_account_is_locked_after_repeated_failures(db: None, settings: Any) -> None:
    client = Client()
    for _ in range(5):
        _login(client, P.TEACHER_B, "wrong-password")
    # The right password no longer works until the lockout window passes.
    response = _login(client, P.TEACHER_B, PASSWORD)
    assert response.status_code in (200, 429)
    assert client.get("/").status_code == 302
    # Another account from the same address is not locked by it.
    other = Client()
    assert _login(other, P.TEACHER_A, PASSWORD).status_code == 302


def test_signup_is_closed(db: None) -> None:
    client = Client()
    client.post("/accounts/signup/", {"email": "new@example.lv", "password1": "Xx-123456789",
                                      "password2": "Xx-123456789"})
    assert not User.objects.filter(email="new@example.lv").exists()


def test_disabled_user_session_ends_at_once(db: None) -> None:
    client = Client()
    client.force_login(P.user(P.SUPPORT_A))
    assert client.get("/pupils/").status_code == 200
    User.objects.filter(email=P.SUPPORT_A).update(is_active=False)
    response = client.get("/pupils/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_session_ends_after_absolute_lifetime(db: None, settings: Any) -> None:
    client = Client()
    client.force_login(P.user(P.TEACHER_A))
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # logged out, not just redirected once


def test_idle_expiry_is_configured_and_renewed(settings: Any) -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def _staff_user(role: Role, organisation_code: str) -> User:
    user = User.objects.create_user("skolotaja@skola.example.lv", "Garš-drošs-123")
    Membership.objects.create(user=user, organisation=P.org(organisation_code), role=role)
    return user


def test_mfa_is_enforced_for_roles_that_see_named_pupils(db: None, settings: Any) -> None:
    settings.MFA_REQUIRED_ROLES = ["*named-pupils*"]
    user = _staff_user(Role.CLASS_TEACHER, P.SCHOOL_A)
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": "Garš-drošs-123"},
                           follow=True)
    # Straight after signing in the user is sent to TOTP set-up (allauth asks for the password
    # once more before an MFA change), and stays sent there.
    assert ("/accounts/2fa/totp/activate/", 302) in response.redirect_chain
    assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    confirmed = client.post(response.redirect_chain[-1][0], {"password": "Garš-drošs-123"},
                            follow=True)
    assert confirmed.redirect_chain[-1][0] == "/accounts/2fa/totp/activate/"
    assert confirmed.status_code == 200
    again = client.get("/pupils/")
    assert again.status_code == 302
    assert again["Location"] == "/accounts/2fa/totp/activate/"


def test_mfa_not_forced_on_roles_without_named_pupils(db: None, settings: Any) -> None:
    settings.MFA_REQUIRED_ROLES = ["*named-pupils*"]
    client = Client()
    client.force_login(_staff_user(Role.PROJECT_MANAGER, P.SCHOOL_A))
    assert client.get("/").status_code == 200


def test_demo_personas_are_exempt_only_in_debug(db: None, settings: Any) -> None:
    settings.MFA_REQUIRED_ROLES = ["*all*"]
    client = Client()
    client.force_login(P.user(P.TEACHER_A))
    settings.MFA_EXEMPT_DEMO_PERSONAS = True
    assert client.get("/").status_code == 200
    settings.MFA_EXEMPT_DEMO_PERSONAS = False
    assert client.get("/").status_code == 302


def test_membership_role_must_fit_organisation_type(db: None) -> None:
    from django.core.exceptions import ValidationError

    membership = Membership(user=P.user(P.TEACHER_A), organisation=P.org(P.SCHOOL_A),
                            role=Role.MUNICIPALITY_COORDINATOR)
    with pytest.raises(ValidationError):
        membership.full_clean()


def test_unknown_mfa_role_is_a_startup_error(settings: Any) -> None:
    from kopiena.accounts.checks import check_mfa_required_roles

    settings.MFA_REQUIRED_ROLES = ["*named-pupils*", "class_teachr"]
    errors = check_mfa_required_roles(None)
    assert [e.id for e in errors] == ["kopiena.E001"]
    assert "class_teachr" in errors[0].msg
    settings.MFA_REQUIRED_ROLES = ["*named-pupils*", "system_admin"]
    assert check_mfa_required_roles(None) == []


def test_access_log_uses_forwarded_address_only_behind_trusted_proxy(db: None, settings: Any) -> None:
    from kopiena.access.models import AccessLogEntry

    client = Client()
    client.force_login(P.user(P.DIRECTOR_A))
    client.get("/pupils/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert AccessLogEntry.objects.latest("pk").ip_address == "127.0.0.1"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client.get("/pupils/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert AccessLogEntry.objects.latest("pk").ip_address == "203.0.113.9"


def test_create_admin_command_gives_admin_access_after_mfa(
    db: None, monkeypatch: Any, settings: Any
) -> None:
    from django.core.management import call_command

    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Ļoti-drošs-2026")
    call_command("create_admin", "IT@Novads.example.lv", organisation="90000000777",
                 create_municipality="Jaunais novads")
    assert P.org("90000000777").is_municipality
    client = Client()
    assert _login(client, "it@novads.example.lv", "Ļoti-drošs-2026").status_code == 302
    # System administrators must set up MFA by default; without that rule the admin opens.
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"
    settings.MFA_REQUIRED_ROLES = ["*named-pupils*"]
    assert client.get("/admin/").status_code == 200
