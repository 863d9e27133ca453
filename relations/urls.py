from django.urls import path

from . import views

app_name = "relations"

urlpatterns = [
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("relations/<slug:slug>/", views.relation_detail, name="relation-detail"),
]
