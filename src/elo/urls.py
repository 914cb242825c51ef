from django.urls import include, path

from elo.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("elo.identity.urls")),
    path("", include("elo.contacts.urls")),
    path("", include("elo.activities.urls")),
    path("", include("elo.sales.urls")),
    path("", include("elo.sales.public_urls")),
    path("", include("elo.billing.urls")),
    path("", include("elo.interchange.urls")),
    path("", include("elo.automation.urls")),
    path("", include("elo.webhooks.urls")),
    path("", include("elo.privacy.urls")),
    path("", include("elo.channels.email.urls")),
    path("", include("elo.channels.phone.urls")),
    path("", include("elo.privacy.urls_retention")),
    path("", include("elo.privacy.urls_access")),
    path("", include("elo.core.urls")),
    path("", include("elo.web.urls")),
]
