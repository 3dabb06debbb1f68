"""The staff side of the child channel, /kanal/: the child's access and the child's messages."""

from __future__ import annotations

from django.urls import path

from inddrag.portal import answers, staff

app_name = "channel"
urlpatterns = [
    path("sag/<uuid:code>/", staff.access, name="access"),
    path("sag/<uuid:code>/invitation/", staff.invite, name="invite"),
    path("sag/<uuid:code>/nulstil/", staff.reset, name="reset"),
    path("besked/<uuid:code>/", answers.message, name="message"),
    path("profil/", answers.profile, name="profile"),
]
