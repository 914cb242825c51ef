from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "elo.contacts"
    label = "contacts"
    verbose_name = "Contacts"
