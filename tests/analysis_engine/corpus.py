"""Small synthetic corpora for the engine's tests: a few topics, each with its own words,
recombined at random (seeded), so the right themes are known."""

from __future__ import annotations

import random

from app.analysis.engine import Doc

TOPICS = {
    "parking": ["car park", "parking spaces", "parking charges", "pay and display",
                "disabled bays", "ticket machine"],
    "waiting": ["waiting room", "long wait", "appointment delayed", "waited hours",
                "queue at reception", "clinic running late"],
    "food": ["hospital food", "cold dinner", "menu choice", "meals", "breakfast tray",
             "vegetarian option"],
    "staff": ["kind nurses", "friendly doctors", "caring staff", "helpful porters",
              "compassionate team", "reassuring midwife"],
    "cleanliness": ["dirty toilets", "clean ward", "bins overflowing", "dusty floors",
                    "hand gel", "spotless bathroom"],
    "noise": ["noisy at night", "loud alarms", "could not sleep", "shouting patients",
              "bright lights", "beeping machines"],
}
FRAMES = [
    "I found the {a} and the {b} a real problem.",
    "The {a} was mentioned by everyone, as was the {b}.",
    "Please do something about the {a}; also the {b}.",
    "My experience: {a}, then {b}. That is all.",
    "Honestly the {a} stood out, and so did the {b}.",
]


def topic_text(topic: str, rng: random.Random) -> str:
    a, b = rng.sample(TOPICS[topic], 2)
    return rng.choice(FRAMES).format(a=a, b=b)


def corpus(size: int, *, seed: int = 0, topics: list[str] | None = None,
           quotable_share: float = 1.0) -> tuple[list[Doc], list[str]]:
    """(docs, the topic of each doc). A random `quotable_share` of the docs is quotable."""
    rng = random.Random(seed)
    names = topics or sorted(TOPICS)
    truth = [names[i % len(names)] for i in range(size)]
    docs = [Doc(key=1000 + i, text=topic_text(t, rng), quotable=rng.random() < quotable_share)
            for i, t in enumerate(truth)]
    return docs, truth
