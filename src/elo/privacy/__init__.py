"""Personal data: the consent ledger, data subject requests, erasure and retention."""
