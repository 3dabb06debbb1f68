"""Notices to the child: "Du har en ny besked i Inddrag", never any content (issue 5, point 5).

By SMS to the child's phone number, or else by e-mail, through pluggable backends: e-mail with
Django's mail backends (console in development, locmem in tests), SMS with CHILD_SMS_BACKEND
(a class with `send(phone, text)`; ConsoleSMSBackend in development, LocmemSMSBackend in tests,
a provider's gateway in production). A notice is a background task enqueued on commit, so a
rolled-back change sends nothing, and a retried task sends a notice about the same thing once."""

from __future__ import annotations

import sys
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from inddrag.portal.models import ChildAccess


class SMSBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSMSBackend:
    """Development: the SMS is written to the console."""

    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"SMS to {phone}: {text}\n")


class LocmemSMSBackend:
    """Tests: the SMS is kept in `outbox`."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        LocmemSMSBackend.outbox.append((phone, text))


def notice_text() -> str:
    return _("Du har en ny besked i Inddrag.")


def notify_child_on_commit(access_id: int) -> None:
    """Call inside the transaction that gave the child something new to see."""
    transaction.on_commit(lambda: send_child_notice.enqueue(access_id=access_id))


@task()
def send_child_notice(access_id: int) -> None:
    """Send the content-free notice by SMS if the child gave a phone number, else by e-mail,
    else not at all (the child sees it next time they open the channel)."""
    access = ChildAccess.objects.filter(pk=access_id).select_related("child").first()
    if access is None:
        return
    with translation.override(access.child.preferred_language or settings.LANGUAGE_CODE):
        text = notice_text()
        if access.notify_phone:
            backend: SMSBackend = import_string(settings.CHILD_SMS_BACKEND)()
            backend.send(access.notify_phone, text)
        elif access.notify_email:
            send_mail(text, text, None, [access.notify_email])
