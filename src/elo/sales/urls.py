from django.urls import path

from elo.sales import urls_catalog, urls_quotes, views

app_name = "sales"
urlpatterns = [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/history/", views.lead_history, name="lead_history"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/convert/", views.lead_convert, name="lead_convert"),
    path("leads/<int:pk>/disqualify/", views.lead_disqualify, name="lead_disqualify"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/board/", views.board, name="board"),
    path("deals/board/<int:pipeline_id>/", views.board, name="board_pipeline"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/forecast/", views.forecast_page, name="forecast"),
    path("deals/deleted/", views.deal_deleted_list, name="deal_deleted_list"),
    path("deals/<int:pk>/history/", views.deal_history, name="deal_history"),
    path("deals/<int:pk>/restore/", views.deal_restore, name="deal_restore"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:pk>/products/", views.deal_lines, name="deal_lines"),
    path("deals/<int:pk>/delete/", views.deal_delete, name="deal_delete"),
    path("settings/pipelines/", views.pipeline_list, name="pipeline_list"),
    path("settings/pipelines/new/", views.pipeline_create, name="pipeline_create"),
    path("settings/pipelines/<int:pk>/", views.pipeline_edit, name="pipeline_edit"),
    path("settings/forecast/", views.forecast_settings, name="forecast_settings"),
    path("settings/forecast/quota/", views.quota_set, name="quota_set"),
    path("settings/forecast/rates/", views.rate_set, name="rate_set"),
    path("settings/assignment/", views.rule_list, name="rule_list"),
    path("settings/assignment/new/", views.rule_create, name="rule_create"),
    path("settings/assignment/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("settings/assignment/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]
urlpatterns += urls_catalog.urlpatterns + urls_quotes.urlpatterns
