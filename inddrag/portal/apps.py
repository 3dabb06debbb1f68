from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The child channel: the child's own pages on their phone, and the child's access to them."""

    name = "inddrag.portal"
    verbose_name = "Barnets kanal"
