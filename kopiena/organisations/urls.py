from django.urls import path

from kopiena.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:organisation_id>/", views.organisation_detail, name="detail"),
]
