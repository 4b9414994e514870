from __future__ import annotations

from django.test import Client


def test_latvian_is_the_default_whatever_the_browser_says(db: None) -> None:
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="lv">' in response.content.decode()


def test_language_switch_sets_english_and_back(db: None) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "lv", "next": "/"})
    assert '<html lang="lv">' in client.get("/accounts/login/").content.decode()


def test_unknown_language_cookie_falls_back_to_latvian(db: None) -> None:
    client = Client()
    client.cookies["django_language"] = "de"
    assert '<html lang="lv">' in client.get("/accounts/login/").content.decode()
