"""Demo data for analysis: imported survey rows, a codebook with a few themes, some coded
items and a finished theme discovery, so the workspace is never empty on first look."""
from __future__ import annotations

from app.analysis import coding
from app.analysis import operations as ops
from app.analysis.discovery import run_discovery, start_run
from app.corpus.operations import record_feedback
from app.corpus.scope import ConsentScope

DEMO_METHOD = "tfidf-kmeans"  # quick, and needs no embedding model

# (text, stakeholder group, may be quoted)
DEMO_ROWS = [
    ("Small NGOs cannot afford new reporting systems without extra funding.", "ngo", True),
    ("The reporting burden takes our staff away from working with families.", "ngo", True),
    ("We would need funding for staff time to collect this data properly.", "ngo", False),
    ("Funding contracts should pay for the cost of data collection.", "ngo", True),
    ("Rural providers have poor internet and cannot upload data every week.", "ngo", True),
    ("Whānau must be able to see what is held about them and correct it.", "iwi_maori", False),
    ("Iwi should govern the data about our people, not the ministry.", "iwi_maori", False),
    ("Māori data sovereignty principles must be built into the policy.", "iwi_maori", True),
    ("Consent forms are too long and written in legal language.", "other", True),
    ("People should be able to withdraw consent at any time without losing services.",
     "other", True),
    ("Clients fear that sharing data will be used against them by agencies.", "other", True),
    ("Families will stop seeking help if they think their data is shared.", "ngo", True),
    ("Trust is the issue: clients do not trust government with their information.", "other",
     False),
    ("Pasifika families need information in their own languages.", "pasifika", True),
    ("Church and community leaders should help explain what the data is for.", "pasifika",
     True),
    ("Plain language consent in Samoan and Tongan would help our communities.", "pasifika",
     True),
    ("Data should be deleted after the service ends.", "other", True),
    ("How long will the ministry keep client records? It must be limited.", "other", True),
    ("Identifiable data should never leave New Zealand.", "other", False),
    ("Aggregated data is enough for funding decisions; names are not needed.", "ngo", True),
    ("Providers should get reports back from the data they send.", "ngo", True),
    ("Share the insights with communities so the data helps them too.", "iwi_maori", True),
    ("The timeline is too short for providers to change their systems.", "ngo", True),
    ("Give small providers two years to adopt the new standard.", "ngo", True),
]

DEMO_THEMES = [
    # name, parent, colour, description
    ("Cost and capacity", None, "#b45309", "What collecting and reporting data costs providers."),
    ("Funding", "Cost and capacity", "#d97706", "Who pays for data collection."),
    ("Trust and consent", None, "#1d4ed8", ("Whether people trust how their data is used, and "
     "how they agree to it.")),
    ("Plain-language consent", "Trust and consent", "#3b82f6", "Consent people understand."),
    ("Māori and Pasifika data governance", None, "#047857", ("Who governs data about iwi, "
     "hapū and Pasifika communities.")),
    ("Retention and deletion", None, "#7c3aed", "How long data is kept."),
]

# Row index -> theme names: what the demo analyst has coded so far.
DEMO_CODINGS = {0: ["Funding"], 1: ["Cost and capacity"], 2: ["Funding"], 3: ["Funding"],
                4: ["Cost and capacity"], 6: ["Māori and Pasifika data governance"],
                7: ["Māori and Pasifika data governance"], 8: ["Plain-language consent"],
                10: ["Trust and consent"], 12: ["Trust and consent"],
                16: ["Retention and deletion"], 17: ["Retention and deletion"]}


def _rows(context):
    items = []
    for number, (text, group, quotable) in enumerate(DEMO_ROWS, start=1):
        consent = ConsentScope(True, "anonymous" if quotable else "none",
                               "working_group" if quotable else "none", None)
        item = record_feedback(None, consultation=context.consultation, source="imported_row",
                               source_id=f"{context.consultation.id}:demo-survey:{number}",
                               text=text, question_key="q1-concerns", consent=consent,
                               stakeholder_group=group)
        items.append(item)
    return items


def seed_analysis(context) -> None:
    analyst = context.accounts["analyst"]
    items = _rows(context)
    book = ops.get_or_create_codebook(analyst, context.consultation)
    themes = {}
    for name, parent, colour, description in DEMO_THEMES:
        themes[name] = ops.create_theme(analyst, book, name=name, description=description,
                                        colour=colour, parent=themes.get(parent))
    for index, names in DEMO_CODINGS.items():
        coding.apply_themes(analyst, items[index], book, [themes[n] for n in names])
    coding.mark_evidence_rich(analyst, items[7], True)
    run = start_run(analyst, context.consultation, method=DEMO_METHOD, seed=0)
    run_discovery(run)
    context.session.flush()
