"""Printable documents: a template rendered to HTML in one language, then to PDF by
WeasyPrint. Documents for signing are in Latvian whatever the reader's interface language."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

DOCUMENT_LANGUAGE = "lv"


def render_document_html(template: str, context: dict[str, Any], *,
                         language: str = DOCUMENT_LANGUAGE) -> str:
    with translation.override(language):
        return render_to_string(template, {**context, "document_language": language})


def render_pdf(template: str, context: dict[str, Any], *,
               language: str = DOCUMENT_LANGUAGE) -> bytes:
    import weasyprint  # type: ignore[import-untyped]

    html = render_document_html(template, context, language=language)
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
