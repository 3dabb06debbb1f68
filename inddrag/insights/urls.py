"""Leader insights, /indsigt/: the dashboards, the cases behind a figure, exports, the target,
and the platform operator's figures across municipalities."""

from __future__ import annotations

from django.urls import path

from inddrag.insights import operator_views, views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sager/", views.cases, name="cases"),
    path("eksport/", views.export, name="export"),
    path("maal/", operator_views.target, name="target"),
    path("landet/", operator_views.national, name="national"),
    path("landet/eksport/", operator_views.national_export, name="national_export"),
]
