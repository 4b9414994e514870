"""The support report as tables: the same rows on the screen, in the XLSX and in the CSV file.

A figure about fewer than 5 pupils (``kopiena.core.aggregates``) is hidden from a reader
without pupil-level access to the school it comes from: a count shows as ``<5``, an amount
about such a group as ``–``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kopiena.cases.risk_factors import RiskGroup
from kopiena.core.aggregates import is_small_group
from kopiena.core.charts import Chart, PairedRow, paired_bars
from kopiena.plans.models import MeasureUnit, Outcome, PlanStatus
from kopiena.plans.reports import MeasureFigures, SupportReport

HIDDEN_COUNT = "<5"
HIDDEN_AMOUNT = "–"
Cell = int | Decimal | str


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    foot: list[Cell] | None = None  # a total line


@dataclass(frozen=True)
class Suppression:
    """Which figures the reader may not see in full: ``whole`` for the report's totals,
    ``school(id)`` for one school's row."""

    whole: bool
    school: Callable[[int], bool]

    @classmethod
    def none(cls) -> Suppression:
        return cls(whole=False, school=lambda _id: False)


def count(value: int, pupils: int, hide: bool) -> Cell:
    return HIDDEN_COUNT if hide and is_small_group(pupils) else value


def amount(value: Decimal, pupils: int, hide: bool) -> Cell:
    return HIDDEN_AMOUNT if hide and is_small_group(pupils) else value


def unit_label(unit: str) -> str:
    labels: dict[str, str] = {MeasureUnit.HOURS: pgettext("unit", "h"),
                              MeasureUnit.SESSIONS: _("sessions"), MeasureUnit.EUR: "EUR"}
    return labels.get(unit, unit)


def report_tables(report: SupportReport, hide: Suppression) -> list[Table]:
    h = hide.whole
    summary = Table("summary", _("Summary"), [_("Figure"), _("Value")], rows=[
        [_("Period"), str(report.period)],
        [_("Support plans"), count(report.plans_total, report.plan_pupils, h)],
        [_("Pupils with a plan"), count(report.plan_pupils, report.plan_pupils, h)],
        [_("Pupils supported (plan approved)"),
         count(report.pupils_supported, report.pupils_supported, h)],
        [_("Planned, EUR"), amount(report.planned_eur, report.pupils_supported, h)],
        [_("Spent, EUR"), amount(report.spent_eur, report.spent_pupils, h)],
    ])
    statuses = Table("plans_by_status", _("Plans by status"), [_("Status"), _("Plans")], rows=[
        [str(PlanStatus(s).label), count(n, report.status_pupils[s], h)]
        for s, n in report.plans_by_status.items()
    ], foot=[_("All plans"), count(report.plans_total, report.plan_pupils, h)])
    risks = Table("risk_groups", _("Pupils supported by risk group"),
                  [_("Risk group"), _("Pupils")], rows=[
                      [str(RiskGroup(g).label), count(n, n, h)]
                      for g, n in report.risk_groups.items()])
    measures = Table("measures", _("Measures: planned and delivered"), [
        _("Measure"), _("Unit"), _("Plans"), _("Planned"), _("Delivered"), _("Delivered, %"),
        _("Planned, EUR"), _("Spent, EUR")], rows=[_measure_row(m, h) for m in report.measures],
        foot=[_("All measures"), "", "", "", "", "",
              amount(report.planned_eur, report.pupils_supported, h),
              amount(report.spent_eur, report.spent_pupils, h)])
    sources = Table("funding", _("Money by funding source"),
                    [_("Paid from"), _("Planned, EUR"), _("Spent, EUR")], rows=[
                        [s.label, amount(s.planned_eur, s.pupils, h),
                         amount(s.spent_eur, s.pupils, h)] for s in report.sources])
    outcomes = Table("outcomes", _("Outcomes of the evaluations"),
                     [_("Outcome"), _("Evaluations")], rows=[
                         [str(Outcome(o).label), count(n, report.outcome_pupils[o], h)]
                         for o, n in report.outcomes.items()])
    tables = [summary, statuses, risks, measures, sources, outcomes]
    if report.schools:
        tables.append(Table("schools", _("Schools"), [
            _("School"), _("Plans"), _("Pupils supported"), _("Spent, EUR")], rows=[
            [s.school.name, count(s.plans, s.plan_pupils, hide.school(s.school.pk)),
             count(s.pupils_supported, s.pupils_supported, hide.school(s.school.pk)),
             amount(s.spent_eur, s.spent_pupils, hide.school(s.school.pk))]
            for s in report.schools]))
    return tables


def _measure_row(m: MeasureFigures, hide: bool) -> list[Cell]:
    share = m.delivered_share
    hidden = hide and is_small_group(m.pupils)
    return [
        m.name, unit_label(m.unit), count(m.plans, m.pupils, hide),
        amount(m.planned_amount, m.pupils, hide), amount(m.delivered_amount, m.pupils, hide),
        HIDDEN_AMOUNT if hidden or share is None else Decimal(round(share * 100)),
        amount(m.planned_eur, m.pupils, hide), amount(m.spent_eur, m.pupils, hide),
    ]


def measures_chart(report: SupportReport, hide: Suppression) -> Chart | None:
    """Planned against delivered, per measure (rows hidden by the small-group rule left out)."""
    labels = (_("planned"), _("delivered"))
    rows = [
        PairedRow(label=m.name, first=float(m.planned_amount), second=float(m.delivered_amount),
                  first_text=f"{display(m.planned_amount)} {unit_label(m.unit)}",
                  second_text=f"{display(m.delivered_amount)} {unit_label(m.unit)}")
        for m in report.measures
        if not (hide.whole and is_small_group(m.pupils))
    ]
    if not rows:
        return None
    return paired_bars(
        title=_("Measures: planned and delivered"),
        description=_("For each measure, the amount planned in the approved plans and the "
                      "amount delivered in the period, in the measure's unit."),
        rows=rows, labels=labels)


def display(cell: Cell) -> str:
    """A cell as text in the active language (decimal comma in Latvian)."""
    if isinstance(cell, Decimal):
        places = 0 if cell == cell.to_integral_value() else 2
        return formats.number_format(cell, decimal_pos=places, use_l10n=True)
    return str(cell)


# --- files -----------------------------------------------------------------------------------

def report_heading(report: SupportReport) -> list[str]:
    return [_("Support report"), report.title, str(report.period)]


def report_csv(report: SupportReport, tables: list[Table]) -> str:
    """One file, one table after another (title line, header line, rows, an empty line);
    semicolons and a byte-order mark, so that Excel with Latvian settings opens it."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_safe(c) for c in report_heading(report)])
    writer.writerow([])
    for table in tables:
        writer.writerow([table.title])
        writer.writerow(table.headers)
        for row in [*table.rows, *([table.foot] if table.foot else [])]:
            writer.writerow([_csv_safe(display(c)) if isinstance(c, str) else display(c)
                             for c in row])
        writer.writerow([])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """Names typed by users (schools, measures) never start a formula in a spreadsheet."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_xlsx(report: SupportReport, tables: list[Table]) -> bytes:
    """One sheet per table; figures stay numbers, hidden ones are text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = True
    for table in tables:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = re.sub(r"[\\/*?:\[\]]", "", table.title)[:31]
        sheet.append(report_heading(report))
        sheet.append([])
        sheet.append(table.headers)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in [*table.rows, *([table.foot] if table.foot else [])]:
            sheet.append([_xlsx_value(c) for c in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, never a formula
        if table.foot:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = max(
            [len(str(r[0])) for r in table.rows] + [len(table.headers[0]), 12]) + 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(cell: Cell) -> int | float | str:
    if isinstance(cell, Decimal):
        return int(cell) if cell == cell.to_integral_value() else float(cell)
    return cell
