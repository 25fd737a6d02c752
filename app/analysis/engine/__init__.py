"""The automatic-theme engine: candidate themes for a set of texts, and assisted coding.

Pure Python over numpy, scikit-learn and onnxruntime: no database, no Flask. The analysis
package calls it from its jobs; bench/analysis.py measures it (bench/RESULTS.md)."""

from .agreement import cohen_kappa, f1_with_interval
from .assist import Assistant, train_assistant
from .pipeline import DEFAULT_METHOD, METHODS, configured_method, dedupe, discover, preview
from .types import CandidateTheme, Discovery, Doc

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "Assistant",
    "CandidateTheme",
    "Discovery",
    "Doc",
    "cohen_kappa",
    "configured_method",
    "dedupe",
    "discover",
    "f1_with_interval",
    "preview",
    "train_assistant",
]
