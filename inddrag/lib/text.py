from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Something that starts like an HTML tag, a comment or a declaration: "<b", "</", "<!", "<?".
# "a < b" and a child's "<3" pass. Text is escaped when shown anyway; this keeps markup out of
# the case file, where it would be copied into letters and exports.
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")


def reject_markup(value: str) -> None:
    """Validator for free text: no HTML tags (a field message, nothing saved)."""
    if _MARKUP.search(value):
        raise ValidationError(
            _("Skriv teksten uden HTML-koder som <b> eller <script>."), code="markup"
        )
