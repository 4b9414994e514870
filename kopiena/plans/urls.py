from django.urls import path

from kopiena.plans import report_views
from kopiena.plans.views import (
    approvals,
    catalogue,
    deliveries,
    documents,
    editing,
    follow_up,
    pages,
)

app_name = "plans"
urlpatterns = [
    path("reports/", report_views.report, name="report"),
    path("reports/export.xlsx", report_views.report_xlsx_export, name="report_xlsx"),
    path("reports/export.csv", report_views.report_csv_export, name="report_csv"),
    path("approvals/", approvals.approvals, name="approvals"),
    path("new/<int:case_id>/", pages.plan_create, name="create"),
    path("<int:plan_id>/", pages.plan_detail, name="detail"),
    path("<int:plan_id>/status/", pages.plan_status, name="status"),
    path("<int:plan_id>/edit/", editing.plan_edit, name="edit"),
    path("<int:plan_id>/measures/add/", editing.measure_add, name="measure_add"),
    path("<int:plan_id>/measures/<int:measure_id>/remove/", editing.measure_remove,
         name="measure_remove"),
    path("<int:plan_id>/deliveries/add/", deliveries.delivery_add, name="delivery_add"),
    path("<int:plan_id>/deliveries/<int:delivery_id>/confirm/", deliveries.delivery_confirm,
         name="delivery_confirm"),
    path("<int:plan_id>/reviews/add/", follow_up.review_add, name="review_add"),
    path("<int:plan_id>/evaluate/", follow_up.plan_evaluate, name="evaluate"),
    path("<int:plan_id>/continue/", follow_up.plan_continue, name="continue"),
    path("<int:plan_id>/plan.pdf", documents.plan_pdf, name="pdf"),
    path("<int:plan_id>/consultations.pdf", documents.consultation_log_pdf,
         name="consultations_pdf"),
    path("catalogue/<int:organisation_id>/", catalogue.catalogue_page, name="catalogue"),
    path("catalogue/<int:organisation_id>/measures/add/", catalogue.measure_add,
         name="catalogue_measure_add"),
    path("catalogue/<int:organisation_id>/measures/<slug:code>/change/",
         catalogue.measure_change, name="catalogue_measure"),
    path("catalogue/<int:organisation_id>/approval-chain/", catalogue.approval_chain_edit,
         name="approval_chain"),
]
