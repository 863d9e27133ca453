from django.urls import path

from . import views

app_name = "relations"

urlpatterns = [
    path("actors/", views.actor_list, name="actor-list"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("relations/", views.relation_list, name="relation-list"),
    path("relations/<slug:slug>/", views.relation_detail, name="relation-detail"),
]
