from django.apps import AppConfig


class PhoneChannelConfig(AppConfig):
    name = "elo.channels.phone"
    label = "channels_phone"
    verbose_name = "Phone channel"
