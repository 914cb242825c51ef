from django.urls import path

from elo.billing import views

app_name = "billing"

urlpatterns = [
    path("people/<int:pk>/purchases/", views.person_purchases, name="person_purchases"),
    path(
        "organizations/<int:pk>/purchases/",
        views.organization_purchases,
        name="organization_purchases",
    ),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/invoice/", views.order_invoice, name="order_invoice"),
    path("orders/from-quote/<int:quote_pk>/", views.order_from_quote, name="order_from_quote"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/aging/", views.receivables_aging, name="receivables_aging"),
    path("invoices/export.csv", views.invoice_export, name="invoice_export"),
    path("payments/export.csv", views.payment_export, name="payment_export"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/payments/", views.invoice_payment, name="invoice_payment"),
    path("invoices/<int:pk>/credit-notes/", views.invoice_credit, name="invoice_credit"),
    path("invoices/<int:pk>/send/", views.invoice_send, name="invoice_send"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path(
        "invoices/<int:pk>/credit-notes/<int:note_pk>/pdf/",
        views.credit_note_pdf,
        name="credit_note_pdf",
    ),
]
