from django.urls import path

from elo.interchange import views, views_exports

app_name = "interchange"
urlpatterns = [
    path("import/", views.import_file, name="import"),
    path("import/<int:upload_id>/", views.import_mapping, name="import_mapping"),
    path("import/runs/<int:run_id>/", views.import_run, name="import_run"),
    path("import/runs/<int:run_id>/errors.csv", views.import_errors, name="import_errors"),
    path("export/people.vcf", views_exports.export_vcard, name="export_vcard"),
    path("export/<slug:entity>.<slug:file_format>", views_exports.export_file, name="export"),
]
