from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from elo.activities.selectors import my_open_tasks
from elo.contacts import selectors as contacts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "tasks": my_open_tasks(request.user, limit=20),
            "recent_people": contacts.recent_people(request.user),
            "recent_organizations": contacts.recent_organizations(request.user),
        },
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    hits = contacts.global_search(request.user, query, limit=20) if query else None
    return render(request, "web/search.html", {"search_query": query, "hits": hits})
