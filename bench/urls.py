"""The site's addresses plus /bench/hello/, the least a request through the same middleware can cost."""

from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    return HttpResponse("Hello, world.", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), path("", include("config.urls"))]
