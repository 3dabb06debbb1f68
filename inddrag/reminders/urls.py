"""The caseworker's reminders, /paamindelser/."""

from __future__ import annotations

from django.urls import path

from inddrag.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:code>/afvis/", views.dismiss, name="dismiss"),
    path("<uuid:code>/fortryd/", views.undo, name="undo"),
]
