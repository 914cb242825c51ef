"""The pages a customer opens without an account (see views/public.py)."""

from django.urls import path

from elo.sales.views import public

app_name = "sales_public"

urlpatterns = [path("q/<str:token>/", public.quote, name="quote")]
