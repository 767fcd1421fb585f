"""The English check: real English passes (names, jargon, short 360 comments, the project's own
labelled sentences); text in other languages is caught; text without words is not called a
language problem."""

from __future__ import annotations

import pytest

from bifocals.framework import default_framework
from bifocals.text.analyzer import Analyzer
from bifocals.text.corpus import blind_sets, heldout_examples, training_examples
from bifocals.text.guard import NO_WORDS, check_english

ENGLISH = [
    "Great motivator!!",
    "Very organised.",
    "Vision?",
    "Inspires.",
    "lol",
    "Responsibilities:",
    "Budget approved.",
    "Own the quarterly budget",
    "Needs VP sign-off.",
    "Owner: Dana. Backup: Raj.",
    "Sure, 'empowerment' - as long as we do exactly what he says.",
    "Marie de la Cruz explains why the merger matters to every nurse.",
    "Thanks to Jan de Vries and Pieter van den Berg for the rota.",
    "Luiz da Silva and Ana dos Santos run the Lisbon office.",
    "She moved from the LA office to the DE team in March.",
    "Meeting with the Los Angeles and Le Mans partners on Tuesday.",
    "De Beers and Del Monte are both on the client list.",
    "Her résumé is strong and her café chats with new hires are legendary.",
    "Our unsung hero: Ingrid Jung, who keeps the release train on time.",
    "Leonardo da Vinci would have liked the design review.",
    "The team's esprit de corps is the best I have seen.",
    "Drive OKRs, KPIs, P&L and RACI for EMEA; e.g. Q3 roll-out, i.e. SAP S/4HANA.",
    "Duties: e-mail triage, rota, budgets, vendor contracts, payroll, audits.",
    "Plan, staff, budget, track, report.",
    "José and Zoë bring calm to every crisis.",
    "Met the target in Q2; over budget in Q3.",
    "Old habits die hard, but he keeps trying.",
    "Um, not sure what to say here.",
    "Works well with Müller GmbH and Société Générale.",
    "Per the policy, all expenses over 500 need sign-off.",
    "He's a natural leader - a real 'people person'.",
    "Don't micromanage; trust the team.",
    "Rock n' roll energy at the all-hands!",
    "Pro bono, ad hoc, de facto lead of the volunteers.",
    "Speaks with Ms Le and Mr Van about rosters every week.",
    "YES. ABSOLUTELY. HE LEADS BY EXAMPLE.",
    "Ana Paula de Oliveira e Silva leads the Porto team.",
    "Van den Berg's team loaded the van and drove the van to the depot.",
    "Ticket 5e3a7f17b1 was closed by Dan and Ze after the Q3 review.",
    "He has a certain je ne sais quoi with new hires.",
    "Plan for Q3: w/ HR, z/OS migration, na.",
    "Mike Ryan and Łukasz Nowak lead the Kraków office.",
    "The Åland and Malmö teams hit their targets.",
    "Works with Erdoğan Yılmaz on the İzmir rollout.",
    "Søren and Björn took the smørrebrød order for the offsite.",
]

NOT_ENGLISH = {
    "German": [
        "Wir werden die Kosten im nächsten Quartal mit dem Team senken.",
        "Sie erklärt dem Team, warum die Veränderung wichtig ist.",
        "Er plant das Budget und kontrolliert die Ausgaben jeden Monat.",
        "Budgetplanung, Mitarbeiterführung, Zielvereinbarungen, Berichtswesen",
        "Verantwortung für das Budget und die Einsatzplanung der Schichten.",
        "Eine klare Vision für die Zukunft des Unternehmens.",
    ],
    "French": [
        "Nous allons réduire les coûts avec une équipe pour le client.",
        "Elle explique à l'équipe pourquoi le changement est important.",
        "Il gère le budget et suit les dépenses chaque mois.",
        "Une vision claire pour l'avenir de l'entreprise.",
        "Le responsable planifie les tâches de la semaine.",
    ],
    "Spanish": [
        "El gerente planifica el presupuesto y controla los gastos.",
        "Ella explica al equipo por qué el cambio es importante.",
        "Una visión clara para el futuro de la empresa.",
        "Es muy buena líder y escucha a todos.",
        "Organiza las reuniones y reparte las tareas del equipo.",
    ],
    "Dutch": [
        "De manager plant het budget.",
        "Zij legt het team uit waarom de verandering belangrijk is.",
        "Hij houdt de kosten bij en maakt elke maand een rapport.",
        "Een duidelijke visie voor de toekomst van het bedrijf.",
        "Wij zijn trots op het team dat in 2024 is gegroeid.",
        "Verantwoordelijk voor de planning en het rooster.",
    ],
    "Italian": [
        "Il manager pianifica il budget e controlla le spese.",
        "Spiega al team perché il cambiamento è importante.",
        "Una visione chiara per il futuro della azienda.",
        "È molto bravo a motivare le persone del suo gruppo.",
        "Gestione della pianificazione e delle risorse.",
    ],
    "Portuguese": [
        "O gerente planeja o orçamento e controla as despesas.",
        "Ela explica à equipe por que a mudança é importante.",
        "Uma visão clara para o futuro da empresa.",
        "Não delega as tarefas e faz tudo sozinho.",
        "Gestão da equipe e organização das reuniões.",
    ],
    "Polish": [
        "Kierownik planuje budżet i kontroluje wydatki co miesiąc.",
        "Ona wyjaśnia zespołowi, dlaczego ta zmiana jest ważna.",
        "Jasna wizja przyszłości dla całej firmy.",
        "Nie deleguje zadań i robi wszystko sam.",
        "Organizuje spotkania i rozdziela zadania w zespole.",
    ],
    "Swedish": [
        "Chefen planerar budgeten och följer upp kostnaderna varje månad.",
        "Hon förklarar för teamet varför förändringen är viktig.",
        "En tydlig vision för företagets framtid.",
        "Han delegerar inte och gör allt själv.",
        "Vi är stolta över teamet som har vuxit i år.",
    ],
    "Danish and Norwegian": [
        "Lederen planlægger budgettet og følger op på udgifterne hver måned.",
        "Hun forklarer teamet, hvorfor forandringen er vigtig.",
        "Vi er stolte af teamet, som er vokset i år.",
        "Lederen planlegger budsjettet og følger opp kostnadene hver måned.",
        "Han delegerer ikke og gjør alt selv.",
    ],
    "Turkish": [
        "Yönetici bütçeyi planlıyor ve harcamaları her ay kontrol ediyor.",
        "Ekibe bu değişikliğin neden önemli olduğunu anlatıyor.",
        "Şirketin geleceği için net bir vizyon.",
        "Görevleri devretmiyor ve her şeyi kendisi yapıyor.",
        "Toplantıları düzenler ve görevleri ekibe dağıtır.",
    ],
    "other scripts": [
        "这是一个关于预算的句子",
        "Руководитель объясняет команде, почему изменения важны.",
        "Ο διευθυντής σχεδιάζει τον προϋπολογισμό.",
    ],
}


@pytest.mark.parametrize("text", ENGLISH)
def test_varied_english_passes(text: str) -> None:
    check = check_english(text)
    assert check.english, (text, check.reason)


def test_every_labelled_sentence_of_the_project_passes() -> None:
    fw = default_framework()
    examples = training_examples(fw) + heldout_examples(fw)
    examples += [e for rows in blind_sets(fw).values() for e in rows]
    assert len(examples) > 2000
    checks = [(e, check_english(e.text)) for e in examples]
    # Content-free answers with no letters ("-", "?", "+1", "10/10") are labelled neither on
    # purpose; the guard skips them as "no words", not as another language.
    wordless = [e.text for e, c in checks if c.skip == NO_WORDS]
    assert all(not any(ch.isalpha() for ch in t) for t in wordless), wordless
    rejected = [
        (e.source, e.line, e.text) for e, c in checks if not c.english and c.skip != NO_WORDS
    ]
    assert rejected == []


def test_other_languages_are_caught() -> None:
    missed = []
    total = 0
    for language, sentences in NOT_ENGLISH.items():
        caught = [not check_english(s).english for s in sentences]
        total += len(sentences)
        missed += [(language, s) for s, c in zip(sentences, caught, strict=True) if not c]
        # most of each language, not just most overall
        assert sum(caught) >= len(sentences) - 1, (language, missed)
    assert len(missed) <= 5, missed


def test_text_without_words_is_not_a_language_problem() -> None:
    for text in ("???", "12345", "12345 !!!", "-- 3.5 % --", "...", "😀😀"):
        check = check_english(text)
        assert not check.english and check.reason == NO_WORDS, text
        assert check.skip == NO_WORDS
    check = check_english("De manager plant het budget.")
    assert check.skip is not None and check.skip.startswith("not English")
    assert check_english("Vision?").skip is None


def test_analyzer_reports_no_words_and_not_english_apart() -> None:
    results = Analyzer(fast=True).classify(
        ["???", "De manager plant het budget.", "Explains why the change matters."]
    )
    assert [r.skipped for r in results[:1]] == [NO_WORDS]
    assert (results[1].skipped or "").startswith("not English")
    assert results[2].skipped is None
