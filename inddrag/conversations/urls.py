from __future__ import annotations

from django.urls import include, path

from inddrag.conversations import meetings, views

app_name = "conversations"
conversation_urls = [  # /samtaler/<code>/
    path("", views.detail, name="detail"),
    path("rediger/", views.edit, name="edit"),
]
meeting_urls = [  # /samtaler/moeder/<code>/
    path("", meetings.detail, name="meeting_detail"),
    path("afhold/", meetings.record_held, name="meeting_record"),
    path("opsummering/", meetings.summary, name="meeting_summary"),
    path("udsagn/", meetings.copy_statement, name="meeting_copy_statement"),
]
urlpatterns = [
    path("ny/<uuid:case_code>/", views.create, name="create"),
    path("moeder/ny/<uuid:case_code>/", meetings.create, name="meeting_create"),
    path("moeder/<uuid:code>/", include(meeting_urls)),
    path("feedback/", meetings.feedback_figures, name="feedback_figures"),
    path("<uuid:code>/", include(conversation_urls)),
]
