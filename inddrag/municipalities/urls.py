from __future__ import annotations

from django.urls import path

from inddrag.municipalities import views

app_name = "municipalities"
urlpatterns = [
    path("vaelg/", views.choose, name="choose"),
]
