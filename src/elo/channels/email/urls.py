from __future__ import annotations

from django.urls import path

from elo.channels.email import views

app_name = "channels_email"
urlpatterns = [
    path(
        "email/attachments/<int:pk>/download/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("email/messages/<int:pk>/", views.message_html, name="message_html"),
]
