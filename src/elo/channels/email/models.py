from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AttachmentStorage(FileSystemStorage):
    """Django's file system storage, rooted at ELO_EMAIL_ATTACHMENT_DIR (under the data
    directory), read from the settings each time so a changed setting takes effect."""

    @property
    def base_location(self) -> str:
        return str(settings.ELO_EMAIL_ATTACHMENT_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def attachment_storage() -> Storage:
    return AttachmentStorage()


class EmailMessage(models.Model):
    """One received (or BCC-logged) message, stored once per Message-ID, and the timeline
    entry it made."""

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    thread_id = models.CharField(_("thread"), max_length=255, db_index=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="email_message"
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    to = models.TextField(_("to"), blank=True)
    cc = models.TextField(_("cc"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    quoted_text = models.TextField(_("quoted text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    size = models.PositiveIntegerField(default=0)
    via = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.subject or self.message_id


class EmailAttachment(models.Model):
    message = models.ForeignKey(EmailMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    file = models.FileField(storage=attachment_storage, upload_to="%Y/%m", blank=True)
    # True when the attachment was over the size limit: listed, but not kept.
    omitted = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
