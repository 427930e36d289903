"""The text engine behind the board's suggestions, as a facilitator would see its output."""

from __future__ import annotations

import random
import re

import pytest

from concerto.clustering import Document, DuplicatePair, SuggestedCluster, get_engine
from concerto.clustering.french import strip_markdown, tokens
from concerto.clustering.tfidf import TfidfEngine
from concerto.settings import Settings

# A workshop's post-its: four topics, three obvious duplicate pairs, and texts with nothing to cluster on.
POST_ITS = [
    ("m1", "Créer une monnaie locale complémentaire"),
    ("f1", "Une foncière solidaire pour acheter des locaux et les louer à loyer modéré aux assos"),
    ("v1", "Un atelier d’autoréparation de vélos dans chaque quartier"),
    ("m2", "MONNAIE LOCALE !!! pour faire circuler l'argent dans les commerces du coin"),
    ("c1", "Des **cantines** scolaires avec des produits locaux et bio"),
    ("e1", ""),
    ("f2", "Foncière solidaire : racheter des locaux vacants et les louer à prix modéré aux associations"),
    ("v2", "Atelier vélo solidaire : apprendre à réparer son vélo soi-même, dans les quartiers"),
    ("e2", "   \n  "),
    ("c2", "Cantine scolaire : plus de bio et de produits locaux, en circuit court"),
    ("e3", "🎉🎉🎉"),
    ("x1", "Ok"),
]
DOCUMENTS = [Document(key, text) for key, text in POST_ITS]


def partition(clusters: list[SuggestedCluster]) -> set[frozenset]:
    return {frozenset(cluster.ids) for cluster in clusters}


def stems(text: str) -> list[str]:
    return [token.stem for token in tokens(strip_markdown(text))]


# -- French normalisation ----------------------------------------------------------


def test_elisions_with_both_apostrophes_accents_and_stop_words():
    assert stems("L’accès jusqu’aux locaux d'activité, qu'il faut aussi ouvrir, etc.") == ["acces", "local", "activ", "ouvr"]
    assert stems("l'Économie") == stems("L’ECONOMIE") == stems("économies") == ["econom"]


def test_stems_join_inflected_forms():
    assert stems("financer financement financements") == ["financ"] * 3
    assert stems("Les coopératives") == stems("une coopérative") == ["cooper"]
    assert stems("réparer") == stems("réparation") == ["repar"]


def test_markdown_links_and_urls_are_stripped():
    text = "**Important** : voir [le forum des assos](https://forum.example.org) ou https://example.org/page"
    assert strip_markdown(text) == "Important : voir le forum des assos ou"
    assert "https" not in stems(text) and "forum" in stems(text)


# -- suggestions ---------------------------------------------------------------


def test_every_id_exactly_once_with_empty_and_emoji_texts_alone():
    clusters = TfidfEngine().suggest(DOCUMENTS)
    ids = [identifier for cluster in clusters for identifier in cluster.ids]
    assert sorted(ids) == sorted(key for key, _ in POST_ITS)
    for lonely in ("e1", "e2", "e3"):
        assert (lonely,) in [cluster.ids for cluster in clusters]
    for cluster in clusters:
        assert cluster.representative in cluster.ids
        assert all(cluster.label.strip() for cluster in clusters)


def test_obvious_topics_are_grouped():
    groups = partition(TfidfEngine().suggest(DOCUMENTS))
    for pair in ({"m1", "m2"}, {"f1", "f2"}, {"v1", "v2"}, {"c1", "c2"}):
        assert any(pair <= group for group in groups), pair


def test_order_largest_first_then_input_position_and_ids_in_input_order():
    clusters = TfidfEngine().suggest(DOCUMENTS)
    position = {key: n for n, (key, _) in enumerate(POST_ITS)}
    keys = [(-len(cluster.ids), position[cluster.ids[0]]) for cluster in clusters]
    assert keys == sorted(keys)
    for cluster in clusters:
        assert list(cluster.ids) == sorted(cluster.ids, key=position.get)


def test_deterministic_and_independent_of_input_order():
    engine = TfidfEngine()
    first = engine.suggest(DOCUMENTS)
    assert engine.suggest(DOCUMENTS) == first
    shuffled = DOCUMENTS[:]
    random.Random(7).shuffle(shuffled)
    again = engine.suggest(shuffled)
    assert partition(again) == partition(first)
    assert {frozenset(c.ids): c.label for c in again} == {frozenset(c.ids): c.label for c in first}


def test_labels_are_words_written_by_participants():
    clusters = TfidfEngine().suggest(DOCUMENTS)
    label = next(cluster.label for cluster in clusters if {"f1", "f2"} <= set(cluster.ids))
    assert "foncière" in label
    written = " ".join(text.lower() for _, text in POST_ITS)
    for cluster in clusters:
        for word in re.findall(r"[^\W\d_]+", cluster.label.lower()):
            assert word in written, (word, cluster.label)
    singleton = next(cluster for cluster in clusters if cluster.ids == ("x1",))
    assert singleton.label == "Ok"


def test_long_title_labels_are_shortened():
    long_text = "Une très longue proposition sur la gouvernance partagée du plan métropolitain et ses instances"
    [cluster] = TfidfEngine().suggest([Document(1, long_text)])
    assert cluster.label.endswith("…") and len(cluster.label) <= 60
    assert long_text.startswith(cluster.label[:-1])


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate id"):
        TfidfEngine().suggest([Document(1, "a"), Document(1, "b")])
    with pytest.raises(ValueError):
        TfidfEngine().duplicates([Document("x", "a"), Document("x", "b")])


def test_nothing_or_nothing_but_blanks():
    engine = TfidfEngine()
    assert engine.suggest([]) == []
    assert engine.duplicates([]) == []
    clusters = engine.suggest([Document(1, ""), Document(2, "😀"), Document(3, "???")])
    assert [cluster.ids for cluster in clusters] == [(1,), (2,), (3,)]
    assert engine.duplicates([Document(1, ""), Document(2, "")]) == []
    assert engine.index([Document(1, "")]).similar("monnaie locale") == []


# -- duplicates ----------------------------------------------------------------


def test_obvious_duplicates_found_with_scores():
    pairs = TfidfEngine().duplicates(DOCUMENTS)
    found = {(pair.a, pair.b) for pair in pairs}
    assert {("m1", "m2"), ("f1", "f2"), ("c1", "c2")} <= found
    assert not any({pair.a, pair.b} & {"e1", "e2", "e3", "x1"} for pair in pairs)
    for pair in pairs:
        assert isinstance(pair, DuplicatePair) and 0.0 <= pair.score <= 1.0
        assert round(pair.score, 3) == pair.score
    assert [pair.score for pair in pairs] == sorted((pair.score for pair in pairs), reverse=True)


# -- similar while typing ------------------------------------------------------


def test_similar_finds_a_paraphrase_and_ignores_unrelated_text():
    index = TfidfEngine().index(DOCUMENTS)
    found = index.similar("Pour une foncière qui loue des locaux pas chers aux structures solidaires")
    assert found and found[0][0] in {"f1", "f2"} and {"f1", "f2"} >= {key for key, _ in found[:2]}
    assert all(0.0 < score <= 1.0 for _, score in found)
    assert index.similar("Le conseil se réunit jeudi soir à la mairie") == []
    assert index.similar("") == []
    assert len(index.similar("monnaie locale vélo cantine foncière", limit=2)) == 2


# -- choosing an engine ----------------------------------------------------------


class EchoEngine:
    """A plug-in: one cluster per text, no duplicates, nothing similar."""

    def suggest(self, documents):
        return [SuggestedCluster(d.text, (d.id,), d.id) for d in documents]

    def duplicates(self, documents):
        return []

    def index(self, documents):
        return self

    def similar(self, text, *, limit=5):
        return []


def test_plug_in_loaded_by_module_and_factory_name_and_cached():
    engine = get_engine("tests.unit.test_clustering:EchoEngine")
    assert isinstance(engine, EchoEngine)
    assert get_engine("tests.unit.test_clustering:EchoEngine") is engine
    assert engine.suggest([Document(1, "a")])[0].label == "a"
    assert isinstance(get_engine("tfidf"), TfidfEngine)


@pytest.mark.parametrize("name", ["nonsense", "tests.unit.test_clustering:Missing", "no_such_module_xyz:Engine", "json:JSONDecodeError"])
def test_bad_engine_names_are_explained(name):
    with pytest.raises(ValueError, match="text engine"):
        get_engine(name)


def test_engine_setting_read_from_environment(monkeypatch):
    monkeypatch.setenv("CONCERTO_TEXT_ENGINE", "tests.unit.test_clustering:EchoEngine")
    assert Settings.from_env().text_engine == "tests.unit.test_clustering:EchoEngine"
    monkeypatch.delenv("CONCERTO_TEXT_ENGINE")
    assert Settings.from_env().text_engine == "meaning"


# -- a dense encoder blended in (the slot for sentence-embedding models) ------------

# A stand-in for a sentence model: texts about housing point one way, bicycles another.
TOPICS = {"logement": 0, "appartement": 0, "vacant": 0, "vide": 0, "vélo": 1, "bicyclette": 1, "cantine": 2}


def fake_encoder(calls: list[int]):
    import numpy as np

    def encode(texts: list[str]):
        calls.append(len(texts))
        rows = np.zeros((len(texts), 4), dtype=np.float32)
        for n, text in enumerate(texts):
            rows[n, 3] = 0.1
            for word, axis in TOPICS.items():
                if word in text.lower():
                    rows[n, axis] += 1.0
        return rows

    return encode


def test_blended_engine_finds_paraphrases_that_share_no_word():
    from concerto.clustering.blend import BlendedEngine

    documents = [
        Document("a", "Logements vacants : les remettre en location"),
        Document("b", "Plein d'appartements vides à relouer"),
        Document("c", "Un atelier vélo dans chaque quartier"),
        Document("d", "Réparer sa bicyclette soi-même"),
        Document("e", "Des cantines scolaires bio"),
    ]
    assert not TfidfEngine().duplicates(documents)
    calls: list[int] = []
    engine = BlendedEngine(fake_encoder(calls), weight=0.75, duplicate_threshold=0.35, mutual_neighbours=1, similar_threshold=0.4)
    assert {frozenset((p.a, p.b)) for p in engine.duplicates(documents)} == {frozenset("ab"), frozenset("cd")}
    assert [key for key, _score in engine.index(documents).similar("un appartement vide")][:1] in (["a"], ["b"])
    # Themes come from the words alone by default, and their labels from the participants' words.
    assert partition(engine.suggest(documents)) == partition(TfidfEngine().suggest(documents))
    # Each text is encoded once, however many times the engine is asked.
    encoded = sum(calls)
    engine.duplicates(documents)
    assert sum(calls) == encoded


def test_blended_engine_weights_are_checked_and_the_model_engine_explains_what_it_needs(monkeypatch):
    import sys

    from concerto.clustering.blend import BlendedEngine
    from concerto.clustering.embeddings import SentenceTransformerEngine

    with pytest.raises(ValueError):
        BlendedEngine(fake_encoder([]), weight=1.0)
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # not installed
    with pytest.raises(ValueError, match="concerto\\[semantic\\]"):
        SentenceTransformerEngine()
