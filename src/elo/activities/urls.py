from django.urls import path

from elo.activities import views

app_name = "activities"
urlpatterns = [
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/export.ics", views.my_tasks_export, name="my_tasks_export"),
    path("tasks/calendar-feed/reset/", views.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("activities/add/", views.add, name="add"),
    path("activities/<int:pk>/toggle/", views.task_toggle, name="task_toggle"),
]
