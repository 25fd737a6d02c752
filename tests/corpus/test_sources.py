"""The registry of feedback sources."""
from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l

from app.corpus import sources
from app.corpus.sources import (
    SOURCES,
    SourceConflict,
    register_source,
    source_label,
)


@pytest.fixture
def scratch_key():
    key = "scratch_source_test"
    yield key
    sources._sources.pop(key, None)


def test_the_core_source_and_the_packages_sources_are_registered(app):
    """The core registers imported rows; each feature package registers its own sources
    through its registration when the app is built."""
    assert str(source_label("imported_row")) == "Imported row"
    from_packages = {key for package in app.extensions["korero_packages"]
                     for key in package.feedback_sources}
    assert from_packages == {"forum_post", "workshop_output", "interview_note",
                             "submission_answer"}
    assert {"imported_row"} | from_packages <= set(SOURCES)
    assert str(source_label("interview_note")) == "Interview note"


def test_registering_is_idempotent_for_the_same_label(scratch_key):
    register_source(scratch_key, _l("Scratch"))
    register_source(scratch_key, _l("Scratch"))  # an app factory run twice: no error
    assert str(SOURCES[scratch_key]) == "Scratch"
    assert list(SOURCES).count(scratch_key) == 1


def test_a_conflicting_label_is_refused(scratch_key):
    register_source(scratch_key, _l("Scratch"))
    with pytest.raises(SourceConflict, match="already registered"):
        register_source(scratch_key, _l("Something else"))
    with pytest.raises(SourceConflict):
        register_source("forum_post", _l("Forum reply"))
    assert str(source_label(scratch_key)) == "Scratch"


@pytest.mark.parametrize("key", ["", "Forum_Post", "forum post", "x" * 31, "tāpiri", None])
def test_a_malformed_key_is_refused(key):
    with pytest.raises(ValueError):
        register_source(key, "Label")
    assert key not in SOURCES


def test_sources_is_read_only():
    with pytest.raises(TypeError):
        SOURCES["forum_post"] = "Hijacked"  # type: ignore[index]
    with pytest.raises(KeyError):
        source_label("carrier_pigeon")
