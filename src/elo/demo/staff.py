"""The demo company's own people: two teams and a user for every role Elo ships with."""

from __future__ import annotations

from dataclasses import dataclass

from elo.core.text import fold

PASSWORD = "elo-demo-2026"
EMAIL_DOMAIN = "elo.example"

TEAMS = {"br": "Brasil", "intl": "Portugal & International"}


@dataclass(frozen=True)
class DemoUser:
    key: str
    full_name: str
    role: str
    team: str | None
    language: str
    description: str

    @property
    def email(self) -> str:
        first, *_middle, last = fold(self.full_name).split()
        return f"{first}.{last}@{EMAIL_DOMAIN}"

    @property
    def first_name(self) -> str:
        return self.full_name.split()[0]


USERS = (
    DemoUser("admin", "Helena Duarte", "admin", None, "en", "admin, sees everything"),
    DemoUser("br_manager", "Marcos Oliveira", "manager", "br", "pt-br", "manager, team Brasil"),
    DemoUser("br_rep1", "Ana Souza", "sales_rep", "br", "pt-br", "sales rep, team Brasil"),
    DemoUser("br_rep2", "Rafael Lima", "sales_rep", "br", "pt-br", "sales rep, team Brasil"),
    DemoUser("br_rep3", "Juliana Costa", "sales_rep", "br", "pt-br", "sales rep, team Brasil"),
    DemoUser(
        "br_support", "Beatriz Santos", "support_agent", "br", "pt-br", "support agent, team Brasil"
    ),
    DemoUser("br_viewer", "Paula Reis", "read_only", "br", "pt-br", "read-only, team Brasil"),
    DemoUser(
        "intl_manager",
        "Teresa Almeida",
        "manager",
        "intl",
        "pt-pt",
        "manager, team Portugal & International",
    ),
    DemoUser(
        "intl_rep1",
        "João Ferreira",
        "sales_rep",
        "intl",
        "pt-pt",
        "sales rep, team Portugal & International",
    ),
    DemoUser(
        "intl_rep2",
        "Emily Carter",
        "sales_rep",
        "intl",
        "en",
        "sales rep, team Portugal & International",
    ),
    DemoUser(
        "intl_marketer",
        "Ricardo Nunes",
        "marketer",
        "intl",
        "pt-pt",
        "marketer, team Portugal & International",
    ),
)
BY_KEY = {user.key: user for user in USERS}
ADMIN = BY_KEY["admin"]
LOGINS: list[tuple[str, str]] = [(user.email, user.description) for user in USERS]

# Who owns the organizations of each country: (user key, weight).
OWNERS = {
    "BR": (("br_manager", 1), ("br_rep1", 3), ("br_rep2", 3), ("br_rep3", 3)),
    "PT": (("intl_manager", 2), ("intl_rep1", 6), ("intl_rep2", 1)),
    "US": (("intl_manager", 1), ("intl_rep1", 1), ("intl_rep2", 6)),
    "GB": (("intl_manager", 1), ("intl_rep1", 2), ("intl_rep2", 5)),
}
SELLERS = {
    "br": ("br_manager", "br_rep1", "br_rep2", "br_rep3"),
    "intl": ("intl_manager", "intl_rep1", "intl_rep2"),
}
MANAGERS = {"br": "br_manager", "intl": "intl_manager"}
TEAM_SCOPE_ROLES = {"manager", "support_agent", "marketer", "read_only"}


def can_see(user_key: str, owner_key: str) -> bool:
    """Whether the user sees a record that `owner_key` owns (Elo's default role scopes)."""
    user = BY_KEY[user_key]
    if user.role == "admin" or user_key == owner_key:
        return True
    return user.role in TEAM_SCOPE_ROLES and user.team == BY_KEY[owner_key].team
