"""Steps of the real login flow for the accounts tests (the shared world is in inddrag/test.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.models import User
from inddrag.test import PASSWORD, current_token

if TYPE_CHECKING:
    # What the test client returns: a response with .wsgi_request, .context and so on.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

LOGIN_URL = "/konto/login/"
TOKEN_URL = "/konto/login/kode/"
ENROL_URL = "/konto/login/tilknyt-app/"
LOGOUT_URL = "/konto/logout/"
LOCKOUTS_URL = "/konto/spaerringer/"
USERS_URL = "/konto/brugere/"
CASE_LIST_URL = "/sager/"
IP = "10.0.0.1"

WRONG_CREDENTIALS = "Brugernavnet eller adgangskoden er forkert."
WRONG_TOKEN = "Koden er forkert eller udløbet. Vent på en ny kode, og prøv igen."
LOCKED = "Du kan ikke logge ind lige nu"

# The per-response CSRF token, in the forms and in the body's hx-headers.
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"x-csrftoken": )"[A-Za-z0-9]+"')


def post_password(
    client: Client, username: str, password: str = PASSWORD, *, ip: str = IP, query: str = ""
) -> TestResponse:
    """Step 1 of the login: username and password."""
    return client.post(
        LOGIN_URL + query, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def post_token(client: Client, token: str, *, ip: str = IP, url: str = TOKEN_URL) -> TestResponse:
    """Step 2 of the login (or the enrolment page): the six-digit code."""
    return client.post(url, {"otp_token": token}, REMOTE_ADDR=ip)


def log_in(client: Client, user: User, *, ip: str = IP, query: str = "") -> TestResponse:
    """The whole login through the real views; returns the response of the code step."""
    post_password(client, user.username, ip=ip, query=query)
    return post_token(client, current_token(user), ip=ip)


def token_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for `device` (confirmed or not)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def wrong_token(device: TOTPDevice) -> str:
    """A six-digit code that `device` does not accept now, whatever the step boundary."""
    valid = {
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + d):06d}"
        for d in range(-2, 3)
    }
    return next(
        code
        for code in ("000000", "111111", "222222", "333333", "444444", "555555")
        if code not in valid
    )


def session_key(client: Client) -> str:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie is not None else ""


def lock_out(username: str, *, ips: tuple[str, ...] = ()) -> None:
    """Five wrong passwords for `username`, by default each from its own address, so that only
    the account (not an address) reaches the limit."""
    attacker = Client()
    for ip in ips or tuple(f"10.9.0.{n}" for n in range(1, 6)):
        post_password(attacker, username, "wrong password!", ip=ip)


def without_csrf(response: TestResponse) -> str:
    """The page without its per-response CSRF tokens, to compare two responses."""
    return _CSRF.sub("", response.content.decode())
