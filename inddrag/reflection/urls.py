"""Reflection on one's own practice, /refleksion/."""

from __future__ import annotations

from django.urls import include, path

from inddrag.reflection import sessions, views

app_name = "reflection"
session_urls = [  # /refleksion/moeder/<code>/
    path("", sessions.session_detail, name="session_detail"),
    path("rediger/", sessions.session_edit, name="session_edit"),
    path("vignet/", sessions.vignette_add, name="vignette_add"),
    path("opfoelgning/", sessions.follow_up_add, name="follow_up_add"),
]
urlpatterns = [
    path("ny/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("modeller/", views.question_models, name="question_models"),
    path("moeder/", sessions.sessions, name="sessions"),
    path("moeder/ny/", sessions.session_create, name="session_create"),
    path("moeder/<uuid:code>/", include(session_urls)),
    path("opfoelgning/<uuid:code>/", sessions.follow_up_done, name="follow_up_done"),
    path("temaer/", sessions.themes, name="themes"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/rediger/", views.edit, name="edit"),
]
