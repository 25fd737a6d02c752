"""PLACEHOLDER: replaced by the full blueprint."""
from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    return "login placeholder"


@bp.get("/")
def account():
    return "account placeholder"


@bp.post("/logout")
def logout():
    return "logout placeholder"
