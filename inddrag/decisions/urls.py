from __future__ import annotations

from django.urls import path

from inddrag.decisions import views

app_name = "decisions"
urlpatterns = [
    path("ny/<uuid:case_code>/", views.create, name="create"),
    path("fristregler/", views.due_rules, name="due_rules"),
    path("<uuid:code>/", views.detail, name="detail"),  # /afgoerelser/<code>/
]
