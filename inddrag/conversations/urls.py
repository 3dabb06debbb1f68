from __future__ import annotations

from django.urls import include, path

from inddrag.conversations import views

app_name = "conversations"
conversation_urls = [  # /samtaler/<code>/
    path("", views.detail, name="detail"),
    path("rediger/", views.edit, name="edit"),
]
urlpatterns = [
    path("ny/<uuid:case_code>/", views.create, name="create"),
    path("<uuid:code>/", include(conversation_urls)),
]
