from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from inddrag.children import caseload, views

app_name = "children"
case_urls: list[URLPattern | URLResolver] = [  # /sager/<code>/
    path("", views.case_detail, name="case_detail"),
    path("cpr/", views.reveal_cpr, name="reveal_cpr"),
    path("", include("inddrag.children.record_urls")),  # netvaerk/, indsatser/, overdrag/
]
urlpatterns = [
    path("", caseload.case_list, name="case_list"),
    path("<uuid:code>/", include(case_urls)),
]
