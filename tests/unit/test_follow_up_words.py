"""How the follow-up's events read, in English and French, at zero, one, a few and
many: evidence (events, documents), per cents, States and recommendations asked about,
answers, indicators' numbers, and the reminders of each stage."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.words import Words
from followup.registry import Registry

EN, FR = Words("en"), Words("fr")
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def types() -> dict[str, Any]:
    return {t.name: t for t in Registry.load(load_entry_points=False).event_types}


def reads(types: dict[str, Any], name: str, payload: dict[str, Any]) -> tuple[str, str]:
    english, french = types[name].reads(payload, EN), types[name].reads(payload, FR)
    for text in (english, french):
        # The house rules: a capital letter first (never a digit), one full stop.
        assert re.match(r"^[^\W\d_]", text) and text[0] == text[0].upper(), text
        assert text.endswith(".") and not text.endswith("..") and "None" not in text, text
    return english, french


@pytest.mark.parametrize(
    ("events", "documents", "english", "french"),
    [
        (0, 1, "with one document as evidence", "preuves à l’appui\u00a0: un document"),
        (1, 0, "with one event as evidence", "preuves à l’appui\u00a0: un événement"),
        (
            3,
            12,
            "with three events and 12 documents as evidence",
            "preuves à l’appui\u00a0: trois événements et 12 documents",
        ),
        (
            12345,
            0,
            "with 12,345 events as evidence",
            f"preuves à l’appui\u00a0: 12{NNBSP}345 événements",
        ),
    ],
)
def test_a_completed_action_counts_its_evidence(types, events, documents, english, french):
    payload = {
        "action": "ACT-1",
        "evidence": ["00000000-0000-0000-0000-000000000001"] * events,
        "documents": ["ICC-ASP/23/1"] * documents,
    }
    en, fr = reads(types, "ActionCompleted", payload)
    assert english in en and french in fr


@pytest.mark.parametrize(
    ("percent", "english", "french"),
    [
        (0, "(nothing done yet)", "(rien d’accompli encore)"),
        (1, "(one per cent done)", "(un pour cent accomplis)"),
        (7, "(seven per cent done)", "(sept pour cent accomplis)"),
        (45, "(45 per cent done)", "(45 pour cent accomplis)"),
    ],
)
def test_progress_says_how_much_is_done(types, percent, english, french):
    payload = {"action": "ACT-1", "text": "Draft shared", "percent": percent}
    en, fr = reads(types, "ActionProgressReported", payload)
    assert en == f"Progress on action ACT-1 {english}: Draft shared."
    assert fr == f"Avancement de l’action ACT-1 {french}\u00a0: Draft shared."
    bare = reads(types, "ActionProgressReported", {"action": "A", "text": "x", "milestone": "M"})
    assert bare == (
        "Progress on action A (milestone: M): x.",
        "Avancement de l’action A (étape\u00a0: M)\u00a0: x.",
    )


@pytest.mark.parametrize(
    ("states", "asked", "english", "french"),
    [
        (1, 1, "to one State on one recommendation (1)", "à un État sur une recommandation (1)"),
        (
            3,
            2,
            "to three States on two recommendations (1 and 2)",
            "à trois États sur deux recommandations (1 et 2)",
        ),
        (12, 10, "to 12 States on 10 recommendations", "à 12 États sur 10 recommandations"),
    ],
)
def test_a_questionnaire_counts_its_states_and_recommendations(
    types, states, asked, english, french
):
    payload = {
        "questionnaire": "Q-1",
        "title": "Implementation",
        "states": ["NLD"] * states,
        "asked": list(range(1, asked + 1)),
        "due_on": "2024-04-01",
    }
    en, fr = reads(types, "QuestionnaireSent", payload)
    assert english in en and "answers due by 1 April 2024" in en
    assert french in fr and "réponses attendues le 1er avril 2024" in fr


@pytest.mark.parametrize(
    ("answers", "english", "french"),
    [(1, "on one recommendation", "sur une recommandation"), (12, "on 12", "sur 12")],
)
def test_an_answer_counts_the_recommendations_answered(types, answers, english, french):
    payload = {
        "questionnaire": "Q-1",
        "state": "AUT",
        "answers": [
            {"recommendation": n, "status": "implemented", "text": "t"}
            for n in range(1, answers + 1)
        ],
    }
    en, fr = reads(types, "QuestionnaireAnswered", payload)
    assert en.startswith("Austria answered questionnaire Q-1") and english in en
    assert fr.startswith("Autriche\u00a0: réponse au questionnaire Q-1") and french in fr


def test_an_indicator_writes_its_numbers_as_each_language_does(types):
    payload = {
        "indicator": "share",
        "recommendation": 7,
        "description": "States with focal points",
        "figure": "parties.with_focal_point",
        "baseline": 12345,
        "baseline_on": "2024-01-01",
        "target": 0.5,
        "target_on": "2025-12-31",
    }
    en, fr = reads(types, "IndicatorDefined", payload)
    assert "baseline 12,345 on 1 January 2024, target 0.5 by 31 December 2025" in en
    assert f"référence 12{NNBSP}345 au 1er janvier 2024, cible 0,5 au 31 décembre 2025" in fr
    changed = {"indicator": "share", "target": 3, "target_on": "2026-06-30", "reason": "Slower"}
    assert reads(types, "IndicatorTargetChanged", changed) == (
        "Indicator share: new target 3 by 30 June 2026 (Slower).",
        "Indicateur share\u00a0: nouvelle cible 3 au 30 juin 2026 (Slower).",
    )


@pytest.mark.parametrize(
    ("stage", "english", "french"),
    [
        (None, "pending since 1 March 2024", "en attente depuis le 1er mars 2024"),
        ("due_soon", "due on 1 March 2024", "à échéance le 1er mars 2024"),
        ("overdue", "overdue since 1 March 2024", "en retard depuis le 1er mars 2024"),
        (
            "target_missed",
            "its target, due on 1 March 2024, not met",
            "cible du 1er mars 2024 non atteinte",
        ),
        ("unanswered", "unanswered since 1 March 2024", "sans réponse depuis le 1er mars 2024"),
    ],
)
def test_reminders_say_what_they_remind_of(types, stage, english, french):
    payload = {
        "about": "action",
        "reference": "ACT-1",
        "since": "2024-03-01",
        "days": 7,
        "reminder": 2,
    }
    if stage:
        payload["stage"] = stage
    en, fr = reads(types, "ReminderSent", payload)
    assert en == f"Reminder number 2 about action ACT-1, {english}."
    assert fr == f"Rappel n° 2\u00a0: action ACT-1, {french}."
