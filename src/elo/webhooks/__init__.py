"""Outbound webhooks: subscriptions to event types, signed deliveries with retries."""
