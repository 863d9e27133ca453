"""The API's errors: how they are answered, and the 404 for an address that names no endpoint."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import resolve
from django.views.decorators.csrf import csrf_exempt
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView


class NoSuchEndpoint(APIView):
    """Every address under /api/v1/ that no other route takes, whatever the method.

    Negotiation and the rate limit apply as on any endpoint; the answer is the 404 in the API's error
    shape, not Django's HTML page. An address missing only its final slash is redirected to the
    endpoint, as Django's APPEND_SLASH did before this view took every address.
    """

    schema = None  # not an endpoint: left out of the OpenAPI schema
    authentication_classes = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or not _names_an_endpoint(request.path_info + "/"):
            raise NotFound("No endpoint at this address: /api/v1/ lists them.")

    def get(self, request, *args, **kwargs):
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))


def _names_an_endpoint(path: str) -> bool:
    return resolve(path).func is not no_such_endpoint


_no_such_endpoint = NoSuchEndpoint.as_view()


@csrf_exempt
def no_such_endpoint(request, *args, **kwargs):
    """NoSuchEndpoint, as a plain function: the browsable API's breadcrumbs name every API view the
    beginnings of an address resolve to, and this one is no page to lead back to."""
    return _no_such_endpoint(request, *args, **kwargs)


class ApiExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, keeping what a 404 says ("No Article matches the given query."),
    as DRF's own handler does, where the library's says only "Not found."."""

    def convert_known_exceptions(self, exc):
        if isinstance(exc, Http404):
            return NotFound(*exc.args)
        return super().convert_known_exceptions(exc)


ERROR_FIELDS = {
    "type": "validation_error for a 400, client_error for any other error.",
    "errors": "What went wrong, one entry per problem.",
    "code": "The problem as a stable code: invalid, invalid_choice, not_found, throttled, …",
    "detail": "The problem in words.",
    "attr": "The query parameter at fault; null when the problem is not one parameter's.",
}


def describe_errors(result, generator, request, public):
    """A drf-spectacular hook: describe each field of the error shape's components, which the
    library generates for every operation and status without descriptions."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if "Error" not in name:
            continue
        for field, schema in component.get("properties", {}).items():
            if field in ERROR_FIELDS and not schema.get("description"):
                schema["description"] = ERROR_FIELDS[field]
    return result
