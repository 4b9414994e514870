"""Property tests: whatever bytes arrive, an import ends applied or cleanly refused, every error
has a line, a column and a message, and a refused file leaves the database as it was."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kopiena.schooldata.importing.columns import COLUMNS
from kopiena.schooldata.models import ImportKind, ImportRun
from tests import people as P
from tests.test_import_helpers import data_counts, open_enrolments, run

pytestmark = pytest.mark.django_db
Status = ImportRun.Status

KINDS = list(ImportKind.values)
ALL_NAMES = sorted({name for columns in COLUMNS.values()
                    for c in columns for name in (c.name, c.alias)})
JUNK = ["", " ", '"', '""', ";", ",", "\n", "x", "-1", "0", "1", "3.0", "12", "13", "K2",
        "nv", "S", "ni", "+", "n", "ns", "kavējums", "F", "V", "X", "vet", "general",
        "vispārējā", "7.b", "2024-02-30", "2025-09-01", "01.09.2025", "1.9.2025", "tomorrow",
        "ongoing", "annual", "disruption", P.SCHOOL_A, P.SCHOOL_B, "4311900099", "E-000001",
        "010112-10000", "32000000000", "Bērziņš", "\u00a0", "\x00", "😀"]


def _header() -> st.SearchStrategy[list[str]]:
    names = st.sampled_from(ALL_NAMES).map(str.upper) | st.sampled_from(ALL_NAMES) | st.text(
        max_size=8)
    return st.lists(names, min_size=1, max_size=9)


@st.composite
def files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(KINDS))
    good_header = [c.name for c in COLUMNS[kind]]  # so that half the files get rows checked
    header = good_header if draw(st.booleans()) else draw(_header())
    values = st.sampled_from(JUNK) | st.text(max_size=6) | st.sampled_from(VALUES)
    rows = draw(st.lists(st.lists(values, min_size=0, max_size=len(header) + 2), max_size=8))
    delimiter = draw(st.sampled_from([",", ";"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(delimiter.join(row) for row in [header, *rows])
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.booleans()) and data:
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=6))
    return kind, data


VALUES: list[str] = []  # filled with the demo's pupil ids and recent dates once per module


@pytest.fixture
def _real_values() -> None:
    if not VALUES:
        VALUES.extend(e.source_id for e in open_enrolments(P.SCHOOL_A, 3))
        VALUES.extend((dt.date.today() - dt.timedelta(days=n)).isoformat() for n in (3, 4))


@pytest.mark.usefixtures("_real_values")
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(file=files())
def test_any_file_is_applied_or_refused_cleanly(tmp_path: Path, file: tuple[str, bytes]) -> None:
    kind, data = file
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    before = data_counts()
    result = run(kind, path)
    assert result.status in (Status.APPLIED, Status.REFUSED), result.errors
    for issue in [*result.errors, *result.warnings]:
        assert isinstance(issue["line"], int) and issue["line"] >= 0
        assert isinstance(issue["column"], str) and issue["message"]
    if result.status == Status.REFUSED:
        assert result.error_count >= 1
        assert data_counts() == before
        assert (result.created, result.updated) == (0, 0)
