from django.contrib.admin.apps import AdminConfig


class FootnoteAdminConfig(AdminConfig):
    default_site = "config.admin.FootnoteAdminSite"
