"""Every error the API answers has one JSON shape, {"type", "errors": [{"code", "detail", "attr"}]}, and
the OpenAPI schema documents, for each operation, the errors it can answer and no others."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

pytestmark = pytest.mark.django_db

ALWAYS_DOCUMENTED = {"404", "405", "406", "429"}
# No authentication, no permission to refuse, no request body, and a 500 is a bug, not a promise.
NEVER_DOCUMENTED = {"401", "403", "415", "500"}


@pytest.fixture
def api():
    return APIClient()


def client_error(code: str, response) -> dict:
    """The error of `response`, checked to be the API's one shape with a single error of `code`."""
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"type", "errors"}
    [error] = data["errors"]
    assert set(error) == {"code", "detail", "attr"}
    assert (data["type"], error["code"]) == ("client_error", code)
    return error


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope/",
        "/api/v1/nope",
        "/api/v1/articles/a/b/c/",
        "/api/v1/articles/some-slug/extra",
        "/api/v1/%00",
        "/api/v1/%0A/",
        "/api/v1/schema/extra/",
    ],
)
def test_an_address_under_the_api_that_names_no_endpoint_gets_the_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert client_error("not_found", response)["attr"] is None


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_no_method_finds_an_endpoint_that_is_not_there(api, method):
    response = getattr(api, method)("/api/v1/nope/")

    assert response.status_code == 404
    client_error("not_found", response)


def test_an_unknown_article_gets_the_same_404_shape(api):
    response = api.get("/api/v1/articles/no-such-article/")

    assert response.status_code == 404
    assert client_error("not_found", response)["detail"] == "No Article matches the given query."


def test_an_endpoint_asked_for_without_its_final_slash_is_still_redirected_to_it(api):
    response = api.get("/api/v1/articles", {"page_size": "2"})

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/articles/?page_size=2"


def test_a_method_the_api_does_not_serve_gets_a_405_in_the_shape(api):
    response = api.post("/api/v1/articles/")

    assert response.status_code == 405
    client_error("method_not_allowed", response)


def test_asking_for_html_only_gets_a_406_in_the_shape(api):
    response = api.get("/api/v1/articles/", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    client_error("not_acceptable", response)


class _PageSizeView(APIView):
    """Refuses a query parameter the way the API's views do, with DRF's ValidationError."""

    authentication_classes = []

    def get(self, request):
        raise ValidationError({"page_size": ["Give a whole number from 1 to 100."]})


def test_a_refused_query_parameter_is_named_in_the_error():
    response = _PageSizeView.as_view()(APIRequestFactory().get("/", {"page_size": "many"}))
    response.render()

    assert response.status_code == 400
    assert response.data == {
        "type": "validation_error",
        "errors": [{"code": "invalid", "detail": "Give a whole number from 1 to 100.", "attr": "page_size"}],
    }


# What the schema promises


@pytest.fixture
def schema(api):
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def resolve(schema, reference: str) -> dict:
    return schema["components"]["schemas"][reference.rsplit("/", 1)[1]]


def test_every_operation_documents_the_errors_it_can_answer_and_no_others(schema):
    documented = {name: set(operation["responses"]) for name, operation in operations(schema)}

    assert "GET /api/v1/articles/{slug}/" in documented
    for name, statuses in documented.items():
        assert statuses >= ALWAYS_DOCUMENTED, name
        assert not statuses & NEVER_DOCUMENTED, name


def test_the_documented_404_is_the_shape_the_api_answers(schema, api):
    operation = dict(operations(schema))["GET /api/v1/articles/{slug}/"]
    documented = resolve(
        schema, operation["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
    )
    error = resolve(schema, documented["properties"]["errors"]["items"]["$ref"])

    answered = api.get("/api/v1/articles/no-such-article/").json()

    assert set(documented["properties"]) == set(answered)
    assert set(error["properties"]) == set(answered["errors"][0])


def test_a_list_with_filters_documents_its_validation_errors(schema):
    filtered = [
        name
        for name, operation in operations(schema)
        if {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        - {"cursor", "page_size"}
    ]

    assert "GET /api/v1/articles/" in filtered
    for name in filtered:
        assert "400" in dict(operations(schema))[name]["responses"], name


def test_the_catch_all_is_not_an_endpoint_in_the_schema(schema):
    assert all(path.startswith("/api/v1/") and path.endswith("/") for path in schema["paths"])
