from django.urls import path

from kopiena.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="index"),
    path("preferences/", views.preferences, name="preferences"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:notification_id>/read/", views.read, name="read"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("action-items/<int:item_id>/done/", views.action_item_done, name="item_done"),
]
