"""A bare Flask endpoint: the ceiling the load test compares kb's pages against."""
from flask import Flask


def create_app():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "ok"

    return app
