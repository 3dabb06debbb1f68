from __future__ import annotations

from django.urls import path

from inddrag.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.access_log, name="access_log"),
]
