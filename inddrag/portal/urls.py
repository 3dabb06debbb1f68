"""The child channel, /barn/: the child's own pages (mobile first)."""

from __future__ import annotations

from django.urls import include, path

from inddrag.letters import child_views as letters
from inddrag.plans import child_views as plans
from inddrag.portal import entry, meetings, views

app_name = "portal"
meeting_urls = [  # /barn/moeder/<code>/
    path("", meetings.meeting, name="meeting"),
    path("forbered/", meetings.prepare, name="prepare"),
    path("svar/", meetings.feedback, name="feedback"),
]
urlpatterns = [
    path("", views.home, name="home"),
    path("start/", entry.redeem, name="redeem"),
    path("pin/", entry.unlock, name="unlock"),
    path("log-ud/", entry.logout, name="logout"),
    path("hjaelp/", views.help_now, name="help"),
    path("besked/", views.message, name="message"),
    path("bisidder/", views.bisidder, name="bisidder"),
    path("tryg/", views.unsafe, name="unsafe"),
    path("om-mig/", views.about_me, name="about_me"),
    path("beskeder/", views.messages, name="messages"),
    path("enkel/", views.simple_mode, name="simple_mode"),
    path("moeder/<uuid:code>/", include(meeting_urls)),
    path("plan/", plans.plan, name="plan"),
    path("plan/maal/<uuid:key>/", plans.check_in, name="check_in"),
    path("plan/forslag/", plans.propose, name="propose_goal"),
    path("breve/<uuid:code>/", letters.letter, name="letter"),
    path("breve/<uuid:code>/ring-til-mig/", letters.call_me, name="call_me"),
]
