"""The admin site, whose front page is the desk: what waits for whom, and what needs curating."""

from django.contrib import admin

from articles.desk import curation_counts, desk_lists


class FootnoteAdminSite(admin.AdminSite):
    site_header = "Footnote desk"
    site_title = "Footnote desk"
    index_title = "The desk"
    index_template = "admin/desk.html"
    # The lists need the width more than a second menu does: the breadcrumbs and the desk lead on.
    enable_nav_sidebar = False

    def index(self, request, extra_context=None):
        context = {**(extra_context or {})}
        if request.user.has_perm("articles.view_article"):
            context["desk_lists"] = desk_lists(request.user)
            context["curation_counts"] = curation_counts()
        return super().index(request, context)
