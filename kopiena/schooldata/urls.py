from django.urls import path

from kopiena.schooldata import views

app_name = "schooldata"
urlpatterns = [
    path("", views.index, name="index"),
    path("history/", views.history, name="history"),
    path("imports/<int:run_id>/", views.run_detail, name="run"),
    path("imports/<int:run_id>/status/", views.run_status, name="run-status"),
    path("imports/<int:run_id>/confirm/", views.confirm, name="confirm"),
    path("imports/<int:run_id>/cancel/", views.cancel, name="cancel"),
    path("imports/<int:run_id>/errors.csv", views.errors_csv, name="errors-csv"),
]
