from django.urls import path

from kopiena.cases import mentor_views, record_views, referral_views, team_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/<int:pupil_id>/", views.open_case, name="open"),
    path("mentors/", mentor_views.mentor_list, name="mentors"),
    path("mentors/new/", mentor_views.mentor_create, name="mentor_create"),
    path("mentors/<int:profile_id>/", mentor_views.mentor_edit, name="mentor_edit"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("<int:case_id>/team/add/", team_views.add_member, name="team_add"),
    path("<int:case_id>/team/<int:member_id>/remove/", team_views.remove_member,
         name="team_remove"),
    path("<int:case_id>/team/manager/", team_views.change_manager, name="change_manager"),
    path("<int:case_id>/team/mentor/", team_views.match_mentor, name="match_mentor"),
    path("<int:case_id>/consent/new/", record_views.record_consent, name="consent_record"),
    path("<int:case_id>/consent/<int:consent_id>/withdraw/", record_views.withdraw_consent,
         name="consent_withdraw"),
    path("<int:case_id>/consent/<int:consent_id>/scan/", record_views.consent_scan,
         name="consent_scan"),
    path("<int:case_id>/risks/new/", record_views.assess_risks, name="assess_risks"),
    path("<int:case_id>/family/new/", record_views.record_family_contact,
         name="family_contact"),
    path("<int:case_id>/notes/new/", record_views.add_note, name="note"),
    path("<int:case_id>/close/", record_views.close_case, name="close"),
    path("<int:case_id>/referrals/new/", referral_views.refer, name="refer"),
    path("<int:case_id>/referrals/<int:referral_id>/answer/", referral_views.answer_referral,
         name="referral_answer"),
    path("<int:case_id>/referrals/<int:referral_id>/revoke/", referral_views.revoke_referral,
         name="referral_revoke"),
]
