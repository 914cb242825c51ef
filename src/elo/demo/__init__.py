"""Deterministic demo data for `elo demo`: a small sales company with customers in Brazil,
Portugal, the United States and the United Kingdom.

`load()` writes, through Elo's services, 11 users in two teams (one per shipped role),
300 organizations, 3,000 people and 10,000 timeline entries; smaller sizes are keyword
arguments. Every user signs in with `PASSWORD`; `LOGINS` lists who is who.
"""

from elo.demo.loader import load
from elo.demo.staff import LOGINS, PASSWORD

__all__ = ["LOGINS", "PASSWORD", "load"]
