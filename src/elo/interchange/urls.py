from django.urls import path

from elo.interchange import views, views_exports

app_name = "interchange"
urlpatterns = [
    path("import/", views.import_file, name="import"),
    path("export/people.vcf", views_exports.export_vcard, name="export_vcard"),
    path("export/<slug:entity>.<slug:file_format>", views_exports.export_file, name="export"),
]
