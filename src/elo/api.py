"""The REST API at /api/v1: the apps' routers under one NinjaAPI."""

from __future__ import annotations

from ninja import NinjaAPI

from elo.activities.api import router as activities_router
from elo.automation.api import router as automation_router
from elo.billing.api import router as billing_router
from elo.channels.email.api import router as email_channel_router
from elo.channels.phone.api import router as phone_channel_router
from elo.contacts.api import router as contacts_router
from elo.core.api import BrowserSessionAuth, TokenAuth, install_problem_handlers
from elo.core.routes import router as core_router
from elo.identity.api import router as identity_router
from elo.interchange.api import router as interchange_router
from elo.interchange.api_exports import router as exports_router
from elo.privacy.api import router as privacy_router
from elo.privacy.api_access import router as access_log_router
from elo.privacy.api_retention import router as retention_router
from elo.sales.api import router as sales_router
from elo.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="Elo API",
    version="1",
    description=(
        "The Elo CRM API. Authenticate with a personal token: `Authorization: Bearer <token>`. "
        "Errors are RFC 9457 problem documents with a stable `code`. Lists page with `cursor` "
        "(follow `next`). Details carry an ETag; send it back as If-Match to avoid lost updates."
    ),
    auth=[TokenAuth(), BrowserSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_problem_handlers(api)
api.add_router("", contacts_router)
api.add_router("", activities_router)
api.add_router("", core_router)
api.add_router("", identity_router)
api.add_router("", interchange_router)
api.add_router("", exports_router)
api.add_router("", sales_router)
api.add_router("", billing_router)
api.add_router("", automation_router)
api.add_router("", webhooks_router)
api.add_router("", privacy_router)
api.add_router("", access_log_router)
api.add_router("", retention_router)
api.add_router("", email_channel_router)
api.add_router("", phone_channel_router)
