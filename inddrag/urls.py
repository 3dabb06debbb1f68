from __future__ import annotations

from django.urls import include, path
from django.views.generic.base import RedirectView
from django.views.i18n import set_language

from inddrag import views
from inddrag.accounts.policy import public

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path(
        "favicon.ico",
        public(RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
        name="favicon",
    ),
    path("konto/", include("inddrag.accounts.urls")),
    path("kommune/", include("inddrag.municipalities.urls")),
    path("sager/", include("inddrag.children.urls")),
    path("samtaler/", include("inddrag.conversations.urls")),
    path("afgoerelser/", include("inddrag.decisions.urls")),
    path("adgangslog/", include("inddrag.audit.urls")),
    path("barn/", include("inddrag.portal.urls")),
    path("kanal/", include("inddrag.portal.staff_urls")),
    path("planer/", include("inddrag.plans.urls")),
    path("breve/", include("inddrag.letters.urls")),
    path("refleksion/", include("inddrag.reflection.urls")),
    path("uddannelse/", include("inddrag.training.urls")),
    path("implementering/", include("inddrag.implementation.urls")),
    path("indsigt/", include("inddrag.insights.urls")),
    path("paamindelser/", include("inddrag.reminders.urls")),
    path("sprog/", public(set_language), name="set_language"),
]
