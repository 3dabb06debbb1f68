"""Letters and recommendations to the committee, /breve/ (staff)."""

from __future__ import annotations

from django.urls import include, path

from inddrag.letters import recommendations, views

app_name = "letters"
letter_urls = [  # /breve/<code>/
    path("", views.detail, name="detail"),
    path("rediger/", views.edit, name="edit"),
    path("send/", views.send, name="send"),
    path("pdf/", views.pdf, name="pdf"),
]
recommendation_urls = [  # /breve/indstillinger/<code>/
    path("", recommendations.detail, name="recommendation_detail"),
    path("rediger/", recommendations.edit, name="recommendation_edit"),
    path("pdf/", recommendations.pdf, name="recommendation_pdf"),
]
urlpatterns = [
    path("ny/<uuid:case_code>/", views.create, name="create"),
    path("svaere-ord/", views.plain_words, name="plain_words"),
    path(
        "indstillinger/ny/<uuid:case_code>/", recommendations.create, name="recommendation_create"
    ),
    path("indstillinger/<uuid:code>/", include(recommendation_urls)),
    path("<uuid:code>/", include(letter_urls)),
]
