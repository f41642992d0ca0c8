"""Security headers on every response, and error pages in the service's own style."""

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# No inline script or style anywhere: every script is a file served by the app.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

ERRORS = {
    400: ("There is a problem with the request", "The page could not use what was sent. Go back and try again."),
    403: ("You do not have access to this page", "Your role does not allow this. Ask an administrator if you need it."),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. "
        "If you followed a link, the page may have moved or you may not have access to it.",
    ),
    405: ("That cannot be done here", "The page does not accept this kind of request."),
    413: ("The file is too large", "Choose a smaller file, or split it and upload the parts."),
    429: (
        "Too many attempts",
        "There have been too many failed sign-ins from this computer. Wait 15 minutes and try again.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you were changing was saved. If it keeps happening, tell your administrator.",
    ),
}


def _error_page(code: int, heading: str | None = None, detail: str | None = None):
    title, message = ERRORS.get(code, ERRORS[500])
    return render_template("errors/error.html", code=code, title=heading or title, message=detail or message), code


def init_app(app) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and not request.path.startswith("/assets/"):
            # Pages hold personal data: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error_page(
            400,
            "The form has expired",
            "For your security, forms stop working after a while or when you sign in again. "
            "Go back, reload the page and send the form again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code in ERRORS:
            # `abort(code, "what is wrong")` says it on the page; a bare abort gets the usual words.
            said = error.description if error.description != type(error).description else None
            return _error_page(error.code, detail=said)
        return error

    @app.errorhandler(Exception)
    def server_error(error):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        from tff.extensions import db

        db.session.rollback()
        return _error_page(500)
