from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from kopiena.access.policies import Policy, access_policy
from kopiena.api import api
from kopiena.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", access_policy(Policy.PUBLIC)(set_language), name="set_language"),
    path("accounts/", include("kopiena.accounts.urls")),
    path("pupils/", include("kopiena.pupils.urls")),
    path("organisations/", include("kopiena.organisations.urls")),
    path("support/", include("kopiena.earlywarning.urls")),
    path("school-data/", include("kopiena.schooldata.urls")),
    path("cases/", include("kopiena.cases.urls")),
    path("plans/", include("kopiena.plans.urls")),
    path("conferences/", include("kopiena.conferences.urls")),
    path("inbox/", include("kopiena.inbox.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
