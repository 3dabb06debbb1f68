"""Barnets plan, /planer/ (staff)."""

from __future__ import annotations

from django.urls import include, path

from inddrag.plans import views

app_name = "plans"
plan_urls = [  # /planer/<code>/
    path("", views.detail, name="detail"),
    path("maal/ny/", views.goal_add, name="goal_add"),
    path("maal/<uuid:goal>/", views.goal_edit, name="goal_edit"),
    path("maal/<uuid:goal>/fjern/", views.goal_remove, name="goal_remove"),
    path("godkend/", views.approve, name="approve"),
    path("versioner/", views.compare, name="compare"),
    path("forslag/<uuid:proposal>/", views.take_proposal, name="take_proposal"),
]
urlpatterns = [
    path("ny/<uuid:case_code>/", views.create, name="create"),
    path("<uuid:code>/", include(plan_urls)),
]
