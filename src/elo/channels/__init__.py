"""One Django app per channel (email, phone, ...): inbound traffic to the timeline and back."""
