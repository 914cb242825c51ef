from django.urls import path

from elo.identity import views

app_name = "identity"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language, name="language"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/password/", views.password_change, name="password_change"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/users/", views.user_list, name="user_list"),
    path("settings/users/new/", views.user_create, name="user_create"),
    path("settings/users/<int:pk>/", views.user_edit, name="user_edit"),
    path("settings/teams/", views.team_list, name="team_list"),
    path("settings/roles/", views.role_list, name="role_list"),
    path("settings/roles/<int:pk>/", views.role_edit, name="role_edit"),
]
