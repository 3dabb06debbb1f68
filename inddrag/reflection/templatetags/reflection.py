"""{% reflection_offer conversation=… %} / {% reflection_offer meeting=… %}: the panel that
offers the caseworker a reflection on the conversation or meeting they just saved, until they
have written one (one query)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q
from django.urls import reverse

from inddrag.conversations.models import Conversation, Meeting
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import Reflection

register = template.Library()


@register.inclusion_tag("reflection/offer.html", takes_context=True)
def reflection_offer(
    context: dict[str, Any],
    conversation: Conversation | None = None,
    meeting: Meeting | None = None,
) -> dict[str, Any]:
    """Shown to a caseworker who has written no reflection on the conversation or meeting (a
    meeting recorded as a child conversation counts as one: a reflection on either is enough)."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if request is None or membership is None or membership.role != Membership.Role.CASEWORKER:
        return {"show": False}
    if conversation is not None:
        written = Q(conversation_id=conversation.pk) | Q(meeting__conversation_id=conversation.pk)
        url = f"{reverse('reflection:create')}?samtale={conversation.code}"
    elif meeting is not None:
        written = Q(meeting_id=meeting.pk)
        if meeting.conversation_id is not None:
            written |= Q(conversation_id=meeting.conversation_id)
        url = f"{reverse('reflection:create')}?moede={meeting.code}"
    else:
        return {"show": False}
    exists = Reflection.objects.filter(written, author_id=request.user.pk).exists()
    return {"show": not exists, "url": url, "is_meeting": conversation is None}
