from django.urls import path

from kopiena.earlywarning import rule_views, views

app_name = "earlywarning"
urlpatterns = [
    path("", views.support_home, name="home"),
    path("schools/<int:organisation_id>/", views.school_overview, name="school"),
    path("classes/<int:class_id>/", views.class_view, name="class"),
    path("municipalities/<int:organisation_id>/", views.municipality_overview,
         name="municipality"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("notices/<int:notice_id>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("notices/<int:notice_id>/sent/", views.notice_sent, name="notice_sent"),
    path("rules/<int:organisation_id>/", rule_views.rules_page, name="rules"),
    path("rules/<int:organisation_id>/add/", rule_views.rule_add, name="rule_add"),
    path("rules/<int:organisation_id>/<int:rule_id>/change/", rule_views.rule_change,
         name="rule_change"),
    path("rules/<int:organisation_id>/<int:rule_id>/deactivate/", rule_views.rule_deactivate,
         name="rule_deactivate"),
]
