"""What a customer sees without an account: a quote behind a signed link, to accept or
decline. The link names one revision; a changed quote needs a new link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from elo.sales.services import quotes


@require_http_methods(["GET", "POST"])
def quote(request: HttpRequest, token: str) -> HttpResponse:
    found = quotes.quote_for_token(token)
    language = found.person.preferred_language if found.person_id and found.person else ""
    if language and not request.COOKIES.get("django_language"):
        translation.activate(language)
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            quotes.quote_customer_decision(
                quote=found, accept=decision == "accept", name=request.POST.get("name", "")
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("sales_public:quote", token=token)
    response = render(request, "sales/public_quote.html", {"quote": found})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
