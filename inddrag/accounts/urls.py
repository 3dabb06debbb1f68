from __future__ import annotations

from django.urls import path

from inddrag.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_password, name="login"),
    path("login/kode/", views.login_token, name="login_token"),
    path("login/tilknyt-app/", views.enrol, name="enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("spaerringer/", views.lockouts, name="lockouts"),
    path("brugere/", views.users, name="users"),
    path("brugere/<uuid:code>/deaktiver/", views.disable, name="disable"),
]
