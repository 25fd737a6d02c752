import pytest

from app.analysis.engine import embed


@pytest.fixture(autouse=True, scope="session")
def _model_cache(tmp_path_factory):
    """The distilled static table goes to a temporary folder, not the user's cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("KORERO_MODEL_CACHE", str(tmp_path_factory.mktemp("models")))
    embed.static_table.cache_clear()
    yield
    embed.static_table.cache_clear()
    patch.undo()
