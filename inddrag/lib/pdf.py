"""PDF documents from templates, with WeasyPrint: fonts embedded (DejaVu Sans, installed with
Debian's fontconfig), Danish letters intact, page numbers in the footer. A template for a PDF
extends `pdf/base.html`, which holds the page CSS."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """The template rendered as a PDF. Nothing is fetched: no base URL, so a document cannot
    pull in remote resources."""
    from weasyprint import HTML  # imported here: it takes about 0.3 s to load

    html = render_to_string(template_name, context)
    return bytes(HTML(string=html, base_url=None).write_pdf())
