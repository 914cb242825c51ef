from django.urls import path

from elo.interchange import views

app_name = "interchange"
urlpatterns = [
    path("import/", views.import_file, name="import"),
    path("export/<str:entity>.csv", views.export_file, name="export"),
    path("export/people.vcf", views.export_vcard, name="export_vcard"),
]
