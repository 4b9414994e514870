"""PDF documents (WeasyPrint) need Pango from the system; .ci/run installs it with apt."""

from __future__ import annotations

import pytest


def _pdf_engine_available() -> bool:
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401
    except OSError:  # the Python package is there, the system's Pango is not
        return False
    return True


requires_pdf_engine = pytest.mark.skipif(
    not _pdf_engine_available(),
    reason="PDF documents need Pango (Debian: libpango-1.0-0 libpangoft2-1.0-0)",
)
