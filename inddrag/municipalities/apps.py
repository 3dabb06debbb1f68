from __future__ import annotations

from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    name = "inddrag.municipalities"
    label = "municipalities"
