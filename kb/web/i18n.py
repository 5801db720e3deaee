"""Interface language (Flask-Babel): ?lang=, then the kb_lang cookie, then Accept-Language.

Catalogs live in kb/web/translations/<lang>/LC_MESSAGES/messages.po; `make translations`
re-extracts the strings and compiles the .mo files the app reads.
"""
from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import Babel, format_date, format_decimal, gettext, lazy_gettext  # noqa: F401 - re-exported

COOKIE = "kb_lang"


def pick_language() -> str:
    cfg = current_app.config["KB_CONFIG"]
    langs = cfg.ui_languages
    asked = request.args.get("lang", "")
    if asked in langs:
        return asked
    cookie = request.cookies.get(COOKIE, "")
    if cookie in langs:
        return cookie
    best = request.accept_languages.best_match(langs)
    return best or cfg.default_ui_language


def setup_i18n(app: Flask) -> None:
    Babel(app, locale_selector=lambda: g.get("ui_lang") or pick_language(),
          default_translation_directories="translations")

    @app.before_request
    def _choose_language():
        g.ui_lang = pick_language()

    @app.after_request
    def _remember_language(response):
        asked = request.args.get("lang", "")
        if asked in app.config["KB_CONFIG"].ui_languages and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        response.headers.setdefault("Content-Language", g.get("ui_lang", "en"))
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
        return response

    app.jinja_env.globals.update(format_date=format_date, format_decimal=format_decimal)
