from django.urls import path

from kopiena.conferences import case_views, views

app_name = "conferences"
urlpatterns = [
    path("", views.conference_list, name="list"),
    path("new/", views.conference_create, name="create"),
    path("<int:conference_id>/", views.conference_detail, name="detail"),
    path("<int:conference_id>/edit/", views.conference_edit, name="edit"),
    path("<int:conference_id>/minutes/", views.minutes, name="minutes"),
    path("<int:conference_id>/recap.pdf", views.recap, name="recap"),
    path("<int:conference_id>/cases/", case_views.add_cases, name="add_cases"),
    path("<int:conference_id>/cases/<int:discussed_id>/", case_views.discussion,
         name="discussion"),
    path("<int:conference_id>/cases/<int:discussed_id>/remove/", case_views.remove_case,
         name="remove_case"),
    path("<int:conference_id>/items/", case_views.add_item, name="add_item"),
    path("<int:conference_id>/items/<int:item_id>/done/", case_views.item_done,
         name="item_done"),
    path("<int:conference_id>/items/<int:item_id>/reopen/", case_views.item_reopen,
         name="item_reopen"),
]
