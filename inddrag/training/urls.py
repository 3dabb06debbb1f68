"""The training programme and onboarding, /uddannelse/."""

from __future__ import annotations

from django.urls import path

from inddrag.training import views

app_name = "training"
urlpatterns = [
    path("", views.modules, name="modules"),
    path("moduler/ny/", views.module_create, name="module_create"),
    path("moduler/<uuid:code>/", views.module_detail, name="module_detail"),
    path("hold/ny/", views.session_create, name="session_create"),
    path("hold/<uuid:code>/", views.session_detail, name="session_detail"),
    path("introduktion/", views.onboarding, name="onboarding"),
    path("introduktion/<uuid:module>/", views.step_done, name="step_done"),  # the module's code
    path("oversigt/", views.overview, name="overview"),
    path("ny-medarbejder/", views.member_add, name="member_add"),
]
