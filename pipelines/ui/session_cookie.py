"""The session cookie: a sign-in that outlives the page's websocket (reloads, new tabs, bookmarks).

Streamlit reads cookies (``st.context.cookies``, those sent with the page's first request) but cannot set
one from a script run, which only talks to the browser over its websocket. So the server mounts two small
same-origin endpoints beside Streamlit's own (``st.App(routes=...)``, see ``pipelines/ui/asgi.py``):

- ``POST /partyday/session``: after the sign-in form succeeded, the page posts a one-time code (valid
  :data:`NONCE_SECONDS`, used once, kept in this process's memory); the endpoint exchanges it for the
  session token and sets it as an ``HttpOnly; SameSite=Strict; Path=/`` cookie (``Secure`` over https).
  The page posts it in the background (``fetch``, answered ``204``), so the person goes straight on to
  the page they opened; were that to fail, it posts the form itself and is redirected back to the page
  and filters they had open (a reload). The token never appears in a URL and no page script can read it.
- ``POST /partyday/signout``: clears the cookie (the session itself was already ended by the sign-out
  button, on the server) and redirects to the sign-in page.

Both refuse a request from another origin. Every run of the app resolves the user from the cookie on the
server (:func:`pipelines.auth.resolve_session`): an expired, ended or forged token is the sign-in form.
"""

from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

COOKIE = "partyday_session"
SESSION_PATH = "/partyday/session"
SIGNOUT_PATH = "/partyday/signout"
NONCE_SECONDS = 60
BACKGROUND_HEADER = "x-partyday-background"  # a post made by the page's script, answered without a redirect
# Set by ``pipelines/ui/asgi.py`` when the server mounts the routes below; under a bare ``streamlit run
# app.py`` it stays False and a sign-in lasts for the browser tab only (the websocket session), as before.
ENDPOINTS_MOUNTED = False

_nonces: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()


def issue_nonce(token: str) -> str:
    """A one-time code the page exchanges for the cookie holding ``token``."""
    nonce = secrets.token_urlsafe(24)
    deadline = time.monotonic() + NONCE_SECONDS
    with _lock:
        for key in [k for k, (_, d) in _nonces.items() if d < time.monotonic()]:
            del _nonces[key]
        _nonces[nonce] = (token, deadline)
    return nonce


def redeem_nonce(nonce: str) -> str | None:
    """The token of a code not yet used nor expired (the code is spent either way)."""
    with _lock:
        token, deadline = _nonces.pop(nonce, ("", 0.0))
    return token if token and deadline >= time.monotonic() else None


def safe_next(target: str | None) -> str:
    """``target`` when it is a path of this site (``/quorum?lang=en``), else ``/``: never another host."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or "\\" in target or parts.scheme or parts.netloc:
        return "/"
    return target


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        referer = request.headers.get("referer")
        origin = None if referer is None else "{0.scheme}://{0.netloc}".format(urlsplit(referer))
    if origin is None:
        return False
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    return urlsplit(origin).netloc == host


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


async def session_endpoint(request: Request) -> Response:
    """Exchange a one-time code for the session cookie, then open the page the person asked for."""
    if not _same_origin(request):
        return PlainTextResponse("cross-origin request refused", status_code=403)
    form = await request.form()
    token = redeem_nonce(str(form.get("code") or ""))
    response: Response
    if request.headers.get(BACKGROUND_HEADER) == "1":  # the page's fetch: nothing to navigate to
        response = Response(status_code=204 if token else 403)
    else:
        response = RedirectResponse(safe_next(str(form.get("next") or "/")), status_code=303)
    if token:
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/")
    return response


async def signout_endpoint(request: Request) -> Response:
    """Forget the session cookie in this browser, then show the sign-in page."""
    if not _same_origin(request):
        return PlainTextResponse("cross-origin request refused", status_code=403)
    form = await request.form()
    response = RedirectResponse(safe_next(str(form.get("next") or "/")), status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


ROUTES = [Route(SESSION_PATH, session_endpoint, methods=["POST"]),
          Route(SIGNOUT_PATH, signout_endpoint, methods=["POST"])]


def auto_post(action: str, fields: dict[str, str], background: bool = False) -> str:
    """A form that posts itself as soon as the page shows it (how a script run hands the browser over).

    ``background``: posted by ``fetch`` without leaving the page (the sign-in: the page is already the
    signed-in one); the form itself is posted, and the page reloaded, only if that fails."""
    from html import escape

    inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
    form = f'<form id="partyday-handoff" method="post" action="{escape(action)}">{inputs}</form>'
    if not background:
        return form + '<script>document.getElementById("partyday-handoff").submit();</script>'
    return form + ('<script>(() => { const f = document.getElementById("partyday-handoff");'
                   ' fetch(f.getAttribute("action"), {method: "POST", credentials: "same-origin",'
                   f' headers: {{"{BACKGROUND_HEADER}": "1"}}, body: new URLSearchParams(new FormData(f))}})'
                   ' .then((r) => { if (r.status !== 204) f.submit(); }).catch(() => f.submit()); })();</script>')
