from __future__ import annotations

from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "inddrag.children"
    label = "children"
