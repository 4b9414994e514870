"""The school data page: upload → check → preview and errors → confirm → apply (background task,
with progress and cancel), the import history, and the data-quality warnings of a school.

Every view answers 404 for a school or an import run the user may not import for
(``kopiena.schooldata.access``).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import OperationalError, connection, transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import User
from kopiena.core.htmx import is_htmx
from kopiena.organisations.models import Organisation
from kopiena.schooldata import tasks
from kopiena.schooldata.access import get_run_for, import_schools, visible_runs
from kopiena.schooldata.data_quality import data_quality_warnings
from kopiena.schooldata.forms import KINDS, SizeLimitUploadHandler, UploadForm
from kopiena.schooldata.importing.api import record_upload
from kopiena.schooldata.importing.columns import header_lookup, normalise_header
from kopiena.schooldata.models import ImportRun

logger = logging.getLogger(__name__)

Status = ImportRun.Status
# Files up to this size are checked within the upload request; larger ones by the worker.
INLINE_CHECK_BYTES = 5 * 1024 * 1024
ERRORS_SHOWN = 200
RECENT_RUNS = 5
HISTORY_PAGE_SIZE = 50
PERSONAL_CODE_COLUMNS = frozenset({"personal_code", "personas_kods"})
SCHOOL_CODE_COLUMNS = frozenset({"school_code", "iestades_kods"})
LINE_COLUMNS = frozenset({"line", "_line", "line_no", "rinda"})


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _chosen_school(request: HttpRequest, schools: list[Organisation]) -> Organisation | None:
    """The school named by ``?school=`` (404 if it is not one of the user's), else the first."""
    wanted = request.GET.get("school")
    if wanted:
        for school in schools:
            if str(school.pk) == wanted:
                return school
        raise Http404
    return schools[0] if schools else None


# --- the school data page -----------------------------------------------------------------------


@access_policy(Policy.SCHOOL_DATA)
@csrf_exempt  # CSRF is checked by `_upload`, after the size-limiting upload handler is in place
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        handler = SizeLimitUploadHandler(request)
        try:
            request.upload_handlers = [handler, *request.upload_handlers]
        except AttributeError:  # the body was read already: the form checks the size instead
            logger.warning("upload handlers could not be set for %s", request.path)
        return _upload(request, handler)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return _page(request)


@csrf_protect
def _upload(request: HttpRequest, handler: SizeLimitUploadHandler) -> HttpResponse:
    user = _user(request)
    schools = import_schools(user)
    form = UploadForm(request.POST, request.FILES, schools=schools,
                      file_too_large=handler.exceeded)
    if not form.is_valid():
        return _page(request, form=form, school=form.cleaned_data.get("school"))
    school: Organisation = form.cleaned_data["school"]
    uploaded = form.cleaned_data["file"]
    file_name = PurePath(uploaded.name or "").name[:255]
    run = record_upload(kind=form.cleaned_data["kind"], uploaded_file=uploaded,
                        file_name=file_name, user=user)
    run.schools.add(school)
    if (uploaded.size or 0) <= INLINE_CHECK_BYTES:
        try:
            tasks.check_keeping_schools(run)
        except Exception:
            logger.exception("checking import run %s failed", run.pk)
            ImportRun.objects.filter(pk=run.pk).update(
                status=Status.FAILED, finished_at=timezone.now()
            )
    else:
        with transaction.atomic():
            tasks.enqueue_check(run)
    return _see_other(reverse("schooldata:run", args=[run.pk]))


def _page(request: HttpRequest, *, form: UploadForm | None = None,
          school: Organisation | None = None) -> HttpResponse:
    user = _user(request)
    schools = list(import_schools(user))
    if school is None:
        school = _chosen_school(request, schools)
    if form is None:
        kind = request.GET.get("kind")
        form = UploadForm(schools=import_schools(user), initial={
            "school": school.pk if school else None,
            "kind": kind if kind in KINDS else None,
        })
    quality = None
    recent: list[ImportRun] = []
    if school is not None:
        quality = data_quality_warnings(school, visible=visible_pupils(user))
        if quality.pupil_ids:
            log_access(request, action=AccessLogEntry.Action.LIST, pupil_ids=quality.pupil_ids,
                       query=f"data quality {school.registration_code}")
        recent = list(
            visible_runs(user).filter(schools=school).select_related("user")
            .prefetch_related("schools").order_by("-created_at")[:RECENT_RUNS]
        )
    return render(request, "schooldata/index.html", {
        "form": form, "schools": schools, "school": school, "quality": quality,
        "recent_runs": recent,
    })


# --- one import run --------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    done: int
    total: int | None  # None while not known (the first pass of a check)
    saving: bool = False  # every row is through: the transaction is being written

    @property
    def percent(self) -> int | None:
        if not self.total or self.saving:
            return None
        return min(100, self.done * 100 // self.total)


def _progress(run: ImportRun) -> Progress:
    """Rows done of the current pass. While a run is applied on SQLite the rows written inside
    the import's transaction only show at commit: the last figure seen is the end of the pass
    that checks the file again, so a full bar while applying means "saving"."""
    total = run.total_rows or run.rows or None
    saving = run.status == Status.APPLYING and total is not None and run.progress_rows >= total
    return Progress(done=run.progress_rows, total=total, saving=saving)


def _token(run: ImportRun) -> str:
    """What the page last announced: the status, and progress in steps of 10 %."""
    percent = _progress(run).percent
    step = "" if percent is None or run.status not in tasks.IN_PROGRESS else str(percent // 10)
    saving = "s" if _progress(run).saving else ""
    return f"{run.status}-{step}{saving}-{int(run.cancel_requested)}"


def _as_problem(entry: Any) -> dict[str, Any]:
    """An error or warning of the importer as {line, column, message}."""
    if isinstance(entry, dict):
        return {"line": entry.get("line"), "column": entry.get("column") or "",
                "message": entry.get("message", "")}
    return {"line": None, "column": "", "message": str(entry)}


def _preview_table(run: ImportRun, school_codes: set[str]) -> tuple[list[str], list[list[Any]], int]:
    """The preview's columns in the order of the spec, its rows (personal codes masked; rows of
    schools the viewer may not import for left out) and how many rows were left out."""
    rows = [row for row in (run.preview or []) if isinstance(row, dict)]
    known = header_lookup(run.kind) if run.kind in KINDS else {}
    keys: list[str] = []
    for row in rows:
        keys.extend(str(k) for k in row if str(k) not in keys)
    normalised = {key: normalise_header(key) for key in keys}

    def position(key: str) -> tuple[int, int]:
        if normalised[key] in LINE_COLUMNS:
            return (-1, 0)
        return (known.get(normalised[key], len(known)), keys.index(key))

    columns = sorted(keys, key=position)
    shown: list[list[Any]] = []
    left_out = 0
    for row in rows:
        code = next((str(row[k]).strip() for k in columns
                     if normalised[k] in SCHOOL_CODE_COLUMNS and row.get(k) is not None), None)
        if code and code not in school_codes:
            left_out += 1
            continue
        cells: list[Any] = []
        for key in columns:
            value = row.get(key)
            if normalised[key] in PERSONAL_CODE_COLUMNS and value not in (None, ""):
                value = "••••••-•••••"
            cells.append("" if value is None else value)
        shown.append(cells)
    labels = [_("Line") if normalised[k] in LINE_COLUMNS else k for k in columns]
    return labels, shown, left_out


def _run_context(request: HttpRequest, run: ImportRun) -> dict[str, Any]:
    user = _user(request)
    user_schools = list(import_schools(user))
    run_schools = list(run.schools.all())
    columns, preview_rows, rows_left_out = _preview_table(
        run, {s.registration_code for s in user_schools}
    )
    errors = [_as_problem(e) for e in (run.errors or [])[:ERRORS_SHOWN]]
    error_total = max(run.error_count, len(run.errors or []))
    finished_without_apply = run.status in (Status.REFUSED, Status.FAILED, Status.CANCELLED)
    reupload_form = None
    if finished_without_apply:
        school = next((s for s in run_schools if s in user_schools), None)
        reupload_form = UploadForm(schools=import_schools(user), initial={
            "school": school.pk if school else None, "kind": run.kind,
        })
    return {
        "run": run,
        "run_schools": run_schools,
        "progress": _progress(run),
        "token": _token(run),
        "polling": run.status in tasks.IN_PROGRESS,
        "can_confirm": (run.status == Status.CHECKED and not run.dry_run
                        and run.user_id == user.pk and error_total == 0),
        "preview_columns": columns,
        "preview_rows": preview_rows,
        "preview_left_out": rows_left_out,
        "errors": errors,
        "error_total": error_total,
        "errors_cut": error_total > len(errors),
        "errors_not_stored": max(0, error_total - len(run.errors or [])),
        "warnings": [_as_problem(w) for w in (run.warnings or [])],
        "reupload_form": reupload_form,
        "swapped": is_htmx(request),
    }


@access_policy(Policy.SCHOOL_DATA)
@never_cache
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = tasks.reconcile(get_run_for(_user(request), run_id))
    return render(request, "schooldata/run.html", _run_context(request, run))


@access_policy(Policy.SCHOOL_DATA)
@never_cache
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The polled part of the run page (htmx): the progress while the run is in progress; the
    whole status section once it has finished, which ends the polling."""
    run = tasks.reconcile(get_run_for(_user(request), run_id))
    if not is_htmx(request):
        return _see_other(reverse("schooldata:run", args=[run.pk]))
    return _status_response(request, run)


def _status_response(request: HttpRequest, run: ImportRun, *,
                     cancel_refused: bool = False) -> HttpResponse:
    context = _run_context(request, run)
    context["cancel_refused"] = cancel_refused
    if run.status in tasks.IN_PROGRESS:
        html = render_to_string("schooldata/run.html#progress", context, request=request)
        response = HttpResponse(html)
    else:
        html = render_to_string("schooldata/run.html#status", context, request=request)
        response = HttpResponse(html)
        response["HX-Retarget"] = "#run-status"
        response["HX-Reswap"] = "outerHTML"
    if cancel_refused or request.GET.get("seen") != context["token"]:
        response.write(
            render_to_string("schooldata/run.html#announcement", context, request=request)
        )
    return response


@access_policy(Policy.SCHOOL_DATA)
@never_cache
def confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    user = _user(request)
    run = get_run_for(user, run_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if run.user_id != user.pk or run.dry_run:
        messages.error(request, _("Only the person who uploaded the file can confirm it."))
        return _see_other(reverse("schooldata:run", args=[run.pk]))
    with transaction.atomic():
        queued = ImportRun.objects.filter(
            pk=run.pk, status=Status.CHECKED, error_count=0, cancel_requested=False,
        ).update(status=Status.QUEUED, progress_rows=0)
        if queued:
            tasks.enqueue_apply(run)
    if not queued:
        messages.info(request, _("This import has already been confirmed, or it cannot be "
                                 "applied."))
    return _see_other(reverse("schooldata:run", args=[run.pk]))


def _request_cancel(run: ImportRun) -> bool:
    """End a run that has not started (QUEUED -> CANCELLED, one conditional UPDATE that races
    fairly with the worker's claim), or ask a running one to stop at its next chunk. False when
    the request could not be recorded: on SQLite another connection cannot write while an
    import holds the only write lock (its writing pass), so wait briefly, not the connection's
    full timeout."""
    runs = ImportRun.objects.filter(pk=run.pk)
    status = runs.values_list("status", flat=True).first()
    try:
        with _short_lock_wait():
            if status == Status.QUEUED and runs.filter(status=Status.QUEUED).update(
                status=Status.CANCELLED, cancel_requested=True, finished_at=timezone.now()
            ):
                return True
            if status in (Status.QUEUED, Status.APPLYING):
                runs.filter(status=Status.APPLYING).update(cancel_requested=True)
    except OperationalError:
        logger.info("cancel of import run %s waits for a database lock", run.pk)
        return False
    return True


@contextmanager
def _short_lock_wait(milliseconds: int = 2000) -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {previous}")


@access_policy(Policy.SCHOOL_DATA)
@never_cache
def cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run_for(_user(request), run_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    recorded = _request_cancel(run)
    run.refresh_from_db()
    refused = not recorded and run.status in tasks.IN_PROGRESS
    if is_htmx(request):
        return _status_response(request, run, cancel_refused=refused)
    if refused:
        messages.warning(request, _(
            "The import could not be stopped: it may already be saving its rows. Try again in "
            "a moment."
        ))
    return _see_other(reverse("schooldata:run", args=[run.pk]))


@access_policy(Policy.SCHOOL_DATA)
@never_cache
def errors_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    """All errors of a run as a CSV file (semicolons and a byte-order mark, so that Excel with
    Latvian settings opens it in columns)."""
    run = get_run_for(_user(request), run_id)
    stem = PurePath(run.file_name).stem or "import"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    safe_stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80]
    response["Content-Disposition"] = f'attachment; filename="{safe_stem}-errors.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Line"), _("Column"), _("Problem")])
    for entry in run.errors or []:
        problem = _as_problem(entry)
        writer.writerow(["" if problem["line"] is None else problem["line"],
                         _spreadsheet_safe(problem["column"]),
                         _spreadsheet_safe(problem["message"])])
    return response


def _spreadsheet_safe(value: object) -> str:
    """Text from an uploaded file never starts a formula when the CSV is opened in Excel."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- history ---------------------------------------------------------------------------------


@access_policy(Policy.SCHOOL_DATA)
@never_cache
def history(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    schools = list(import_schools(user))
    runs = visible_runs(user)
    school = None
    if request.GET.get("school"):
        school = _chosen_school(request, schools)
        runs = runs.filter(schools=school)
    runs = runs.select_related("user").prefetch_related("schools").order_by("-created_at", "-pk")
    page = Paginator(runs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    _mark_own_schools(page.object_list, schools)
    return render(request, "schooldata/history.html", {
        "page": page, "schools": schools, "school": school,
        "show_schools": len(schools) > 1,
    })


def _mark_own_schools(runs: Iterable[ImportRun], schools: list[Organisation]) -> None:
    """Each run's schools among the viewer's (a command-line run may cover many others)."""
    own = {s.pk for s in schools}
    for run in runs:
        run.my_schools = [s for s in run.schools.all() if s.pk in own]  # type: ignore[attr-defined]
