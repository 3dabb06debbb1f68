"""The implementation groups and the dialogue space across municipalities, /implementering/."""

from __future__ import annotations

from django.urls import path

from inddrag.implementation import views

app_name = "implementation"
urlpatterns = [
    path("", views.groups, name="groups"),
    path("grupper/<uuid:code>/", views.group_detail, name="group_detail"),
    path("grupper/<uuid:code>/rediger/", views.group_edit, name="group_edit"),
    path("grupper/<uuid:code>/moeder/ny/", views.meeting_create, name="meeting_create"),
    path("moeder/<uuid:code>/", views.meeting_detail, name="meeting_detail"),
    path("dialog/", views.dialogue, name="dialogue"),
    path("dialog/<uuid:code>/", views.dialogue_post, name="dialogue_post"),
]
