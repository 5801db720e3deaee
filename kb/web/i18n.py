"""Interface language: chosen from ?lang=, then the kb_lang cookie, then Accept-Language."""
from __future__ import annotations

from flask import Flask, current_app, g, request

from kb.web.messages import MESSAGES

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


def gettext(text: str, **params) -> str:
    lang = getattr(g, "ui_lang", "en")
    translated = MESSAGES.get(lang, {}).get(text, text)
    return translated.format(**params) if params else translated


def setup_i18n(app: Flask) -> None:
    @app.before_request
    def _choose_language():
        g.ui_lang = pick_language()

    @app.after_request
    def _remember_language(response):
        asked = request.args.get("lang", "")
        if asked in app.config["KB_CONFIG"].ui_languages and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        response.headers.setdefault("Content-Language", getattr(g, "ui_lang", "en"))
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
        return response

    app.jinja_env.globals.update(_=gettext)
