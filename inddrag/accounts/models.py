from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: staff now; children, bisiddere and partners later."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A disabled account is kept (the access log points at it) but can never sign in again.
    disabled_at = models.DateTimeField(_("deaktiveret"), null=True, blank=True)
    disabled_reason = models.CharField(_("begrundelse"), max_length=500, blank=True)
    # What a child sees about their caseworker in the child channel ("Min sagsbehandler").
    presentation = models.TextField(
        _("et par linjer om dig til børnene"), max_length=600, blank=True
    )
    work_phone = models.CharField(_("telefon, børnene kan ringe til"), max_length=20, blank=True)
    # The platform operator sees figures across municipalities, aggregated only: never a child,
    # a case or a municipality's own pages (policy `for_operator`).
    is_operator = models.BooleanField(_("platformsoperatør"), default=False)

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
