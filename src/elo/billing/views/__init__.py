"""The back-office pages: orders, invoices, receivables, and the purchase history sections
of person and organization pages."""

from elo.billing.views.invoices import (
    credit_note_pdf,
    invoice_credit,
    invoice_detail,
    invoice_issue,
    invoice_list,
    invoice_payment,
    invoice_pdf,
    invoice_send,
)
from elo.billing.views.orders import order_detail, order_from_quote, order_invoice, order_list
from elo.billing.views.purchases import organization_purchases, person_purchases
from elo.billing.views.reports import invoice_export, payment_export, receivables_aging

__all__ = [
    "credit_note_pdf",
    "invoice_credit",
    "invoice_detail",
    "invoice_export",
    "invoice_issue",
    "invoice_list",
    "invoice_payment",
    "invoice_pdf",
    "invoice_send",
    "order_detail",
    "order_from_quote",
    "order_invoice",
    "order_list",
    "organization_purchases",
    "payment_export",
    "person_purchases",
    "receivables_aging",
]
