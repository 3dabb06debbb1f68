from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "inddrag.accounts"
    label = "accounts"

    def ready(self) -> None:
        from inddrag.accounts import receivers  # noqa: F401  (login attempts -> access log)
