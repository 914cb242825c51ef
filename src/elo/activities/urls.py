from django.urls import path

from elo.activities import views

app_name = "activities"
urlpatterns = [
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/export.ics", views.my_tasks_export, name="my_tasks_export"),
    path("activities/add/", views.add, name="add"),
    path("activities/<int:pk>/toggle/", views.task_toggle, name="task_toggle"),
]
