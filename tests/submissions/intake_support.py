"""Helpers for the intake tests: the one-page public form, as a person's browser uses it."""
from __future__ import annotations

import re

from submission_support import CONSENT, token_of


def form_page(client, form):
    page = client.get(f"/submissions/forms/{form.id}/submit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    return token_of(html), key


def answers(**extra) -> dict:
    return {"guest_name": "Mere Tūhoe", "guest_email": "mere@example.test",
            "answer-q2": "Health records.", "answer-q3": "no", "answer-q5": "agree",
            **CONSENT, **extra}


def submit(client, form, data: dict, *, token: str, key: str):
    return client.post(f"/submissions/forms/{form.id}/submit",
                       data={"csrf_token": token, "idempotency_key": key, **data})
