"""The web interface: create_app() builds the Flask app; one blueprint per room."""
from __future__ import annotations

from flask import Flask

from kb.config import Config, load_config
from kb.search import SearchService
from kb.web import api, curate, exports, security, views
from kb.web.compare import bp as compare_bp
from kb.web.handbook import bp as handbook_bp


def create_app(config: Config | None = None, test_config: dict | None = None) -> Flask:
    """The WSGI app (gunicorn runs `kb.web:create_app()`). The search service is made once here."""
    config = config or load_config()
    app = Flask(__name__)
    app.config.update(KB_CONFIG=config, JSON_SORT_KEYS=False)
    if test_config:
        app.config.update(test_config)
    service = SearchService(config)
    app.extensions["kb_search"] = service
    if not app.config.get("TESTING"):
        service.expander.warm_up()     # load dictionaries now, not on a user's first query

    security.init_app(app)
    views.init_app(app)
    curate.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(curate.bp)
    app.register_blueprint(compare_bp)
    app.register_blueprint(handbook_bp)
    curate.csrf.exempt(api.bp)         # the JSON API is read-only GET
    app.add_url_rule("/openapi.json", "openapi", api.openapi_json)
    return app
