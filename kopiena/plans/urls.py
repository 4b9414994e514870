from django.urls import path

from kopiena.plans import views

app_name = "plans"
urlpatterns = [
    path("<int:plan_id>/", views.plan_detail, name="detail"),
]
