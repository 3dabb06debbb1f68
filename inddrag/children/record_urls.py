"""Routes under /sager/<code>/ for the child's network, the measures and the handover
(included by inddrag/children/urls.py inside the case's routes; names are children:…)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
