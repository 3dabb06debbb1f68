from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


class DkfdsBoundField(BoundField):
    """Adds DKFDS classes and the ARIA links between an input, its hint and its error."""

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = "form-input"
        if isinstance(widget, forms.Select):
            css = "form-select"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-checkbox"
        if not isinstance(widget, forms.HiddenInput | forms.RadioSelect):
            attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
        described = str(attrs.get("aria-describedby", "")).split()
        if self.errors:
            attrs["aria-invalid"] = "true"
            described.append(f"{self.auto_id}_error")
        if described:  # Django may already name the error; each id once
            attrs["aria-describedby"] = " ".join(dict.fromkeys(described))
        return attrs


class FormRenderer(TemplatesSetting):
    """Renders `{{ field.as_field_group }}` with DKFDS markup (label, hint, error, input)."""

    field_template_name = "forms/field.html"
    bound_field_class = DkfdsBoundField
