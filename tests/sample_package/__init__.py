"""A feature package that exists only for the tests: it proves a package plugs into the core
through its one registration, with no edit to any core file (tests/test_packages.py builds an
app with it through the EXTRA_PACKAGES setting)."""
from __future__ import annotations

from flask import Blueprint

from app.packages import FeaturePackage, HomeCard, NavEntry, Task
from app.permissions import PUBLIC, SIGNED_IN

bp = Blueprint("sample", __name__)
CALLS: list[tuple] = []  # what the core asked of the package, for the tests to read


@bp.get("/")
def index():
    """A public page."""
    return "sample index"


@bp.get("/staff")
def staff_only():
    """A page for analysts only."""
    return "sample staff page"


@bp.get("/feed/<token>")
def feed(token: str):
    """A private feed whose address is its secret."""
    return "sample feed"


@bp.get("/items/<int:sample_item_id>")
def item(sample_item_id: int):
    """A record private to its author: others get 404."""
    from flask_login import current_user

    from app.corpus.models import FeedbackItem
    from app.db import Session
    from app.permissions import object_or_404

    found = object_or_404(Session.get(FeedbackItem, sample_item_id), "view", current_user)
    return found.text


@bp.get("/leaky/<int:sample_item_id>")
def leaky_item(sample_item_id: int):
    """A deliberately broken view that forgets the object check (the tests must catch it)."""
    from app.corpus.models import FeedbackItem
    from app.db import Session

    return Session.get(FeedbackItem, sample_item_id).text


def _route_objects(context):
    from app.corpus.models import FeedbackItem

    item = FeedbackItem(consultation_id=context.consultation.id, source="imported_row",
                        source_id="sample-walk-1", text="Sample private words.",
                        author_id=context.owner.id)
    context.session.add(item)
    context.session.flush()
    return {"sample_item": item}


def _seed(context) -> None:
    CALLS.append(("seed", context.consultation.slug, sorted(context.accounts)))
    context.report.note(True, "sample demo record")


def _tasks(person):
    return [Task("Sample things to review", 3, "/sample/staff"), Task("Nothing here", 0, "/")]


def _export(person):
    CALLS.append(("export", person.id))
    return {"things": [f"thing of {person.display_name}"]}


def _erase(actor, person):
    CALLS.append(("erase", getattr(actor, "id", None), person.id))


def register() -> FeaturePackage:
    return FeaturePackage(
        name="sample",
        blueprint=bp,
        url_prefix="/sample",
        access={"sample.index": PUBLIC, "sample.staff_only": frozenset({"analyst"}),
                "sample.feed": PUBLIC, "sample.item": SIGNED_IN, "sample.leaky_item": SIGNED_IN},
        audit_actions={"sample.thing_done": "Sample thing done"},
        nav=(NavEntry("sample.staff_only", "Sample staff page", order=5,
                      badge=lambda person: 4, badge_label="%(count)s to review"),),
        home_cards=(HomeCard("sample.index", "Try the sample", "A sample way to take part."),),
        secret_paths=(r"/sample/+feed/+",),
        seed_demo=_seed,
        tasks=_tasks,
        export_personal_data=_export,
        erase_personal_data=_erase,
        route_objects=_route_objects,
        order=1,
    )
