"""The yardstick: a bare Flask app with one "hello" endpoint, served exactly like Kōrero."""
from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "Hello, world"

    return app
