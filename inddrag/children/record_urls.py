"""Routes under /sager/<code>/ for the child's network, the measures and the handover
(included by inddrag/children/urls.py inside the case's routes; names are children:…)."""

from __future__ import annotations

from django.urls import path

from inddrag.children import records

urlpatterns = [  # /sager/<code>/
    path("netvaerk/ny/", records.network_add, name="network_add"),
    path("netvaerk/<uuid:member>/", records.network_edit, name="network_edit"),
    path("netvaerk/<uuid:member>/afslut/", records.network_end, name="network_end"),
    path("indsatser/ny/", records.measure_add, name="measure_add"),
    path("indsatser/<uuid:measure>/", records.measure_edit, name="measure_edit"),
    path("overdrag/", records.handover, name="handover"),
]
