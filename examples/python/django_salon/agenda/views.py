"""Two views: a service's free slots and booking one. Each parses the
request, calls one engine method and renders JSON; the rules (who is free,
what is taken, every message) are the engine's. Errors carry the engine's
code, the field and the message in the request's language."""

import datetime as dt
import json

from django.apps import apps
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

import agendo

STATUS = {
    agendo.ValidationError: 422,
    agendo.NotFound: 404,
    agendo.Unavailable: 409,
    agendo.NotAllowed: 409,
    agendo.Busy: 503,
    agendo.StorageError: 503,
}


def engine() -> agendo.Engine:
    return apps.get_app_config("agenda").engine


def problem(request: HttpRequest, err: agendo.Error) -> JsonResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(err, kind)), 500)
    portuguese = request.headers.get("Accept-Language", "").lower().startswith("pt")
    return JsonResponse(
        {
            "code": err.code,
            "field": err.field,
            "conflicts": list(err.conflicts),
            "message": err.message_pt_br if portuguese else err.message_en,
        },
        status=status,
    )


def invalid(field: str, message: str) -> JsonResponse:
    return JsonResponse({"code": "invalid_field", "field": field, "message": message}, status=422)


@require_GET
def availability(request: HttpRequest, business: str) -> JsonResponse:
    try:
        start = dt.date.fromisoformat(request.GET.get("from", ""))
        end = dt.date.fromisoformat(request.GET.get("to", request.GET.get("from", "")))
    except ValueError:
        return invalid("from", "expected dates as YYYY-MM-DD")
    try:
        slots = engine().availability(
            business,
            request.GET.get("service", ""),
            start,
            end,
            professional=request.GET.get("professional") or None,
        )
    except agendo.Error as err:
        return problem(request, err)
    return JsonResponse(
        {"slots": [{"start": s.start.isoformat(), "staff": s.staff} for s in slots]}
    )


@csrf_exempt
@require_POST
def book(request: HttpRequest, business: str) -> JsonResponse:
    try:
        body = json.loads(request.body or b"{}")
        start = dt.datetime.fromisoformat(str(body.get("start", "")))
    except (ValueError, TypeError):
        return invalid("start", "expected JSON with start as an ISO date and time with offset")
    try:
        booking = engine().book(
            business,
            str(body.get("service", "")),
            str(body.get("professional", "")),
            str(body.get("client", "")),
            start,
            key=request.headers.get("Idempotency-Key"),
        )
    except agendo.Error as err:
        return problem(request, err)
    return JsonResponse(
        {"id": booking.id, "start": booking.start.isoformat(), "status": booking.status},
        status=201,
    )
