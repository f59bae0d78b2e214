"""A small Django-style shop: the quick start runs gdpr-lint on it."""
import logging

import requests
import sentry_sdk
from django.http import JsonResponse

logger = logging.getLogger(__name__)

sentry_sdk.init(dsn="https://examplePublicKey@o0.ingest.sentry.io/0", send_default_pii=True)


def signup(request):
    email = request.POST["email"]
    phone = request.POST.get("phone")
    logger.info("signup attempt for %s", email)
    if not phone:
        raise ValueError(f"no phone number given for {email}")
    sentry_sdk.set_user({"id": request.user.id, "email": email})
    return JsonResponse({"ok": True})


def newsletter_sync(user):
    # the CRM search puts the address in the query string
    response = requests.get("https://crm.example.com/api/search", params={"email": user.email}, timeout=5)
    logger.info("crm sync for user %s: %s", user.id, response.status_code)
    print(f"synced {user.get_full_name()}")


def login_failed(request, username):
    client_ip = request.META.get("REMOTE_ADDR")
    logger.warning("failed login from %s", client_ip)
