"""Choosing a text engine by name: ``meaning`` (the default), ``tfidf`` or a plug-in given as ``package.module:Factory``."""

from __future__ import annotations

import functools
import importlib

from concerto.clustering.model import TextEngine


def _tfidf() -> TextEngine:
    from concerto.clustering.tfidf import TfidfEngine

    return TfidfEngine()


def _meaning() -> TextEngine:
    from concerto.clustering.meaning import MeaningEngine

    return MeaningEngine()


DEFAULT = "meaning"
BUILT_IN = {"meaning": _meaning, "tfidf": _tfidf}


def get_engine(name: str | None = None) -> TextEngine:
    """The engine called ``name`` (default: the ``text_engine`` setting), built once per name."""
    if name is None:
        from concerto.settings import get_settings

        name = get_settings().text_engine
    return _load(name.strip() or DEFAULT)


@functools.cache
def _load(name: str) -> TextEngine:
    if name in BUILT_IN:
        return BUILT_IN[name]()
    module_name, colon, attribute = name.partition(":")
    if not colon or not module_name or not attribute:
        known = ", ".join(sorted(BUILT_IN))
        raise ValueError(f"unknown text engine {name!r}: use one of {known} or 'package.module:Factory'")
    try:
        factory = importlib.import_module(module_name)
        for part in attribute.split("."):
            factory = getattr(factory, part)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"cannot load text engine {name!r}: {error}") from error
    try:
        engine = factory()
    except TypeError as error:
        raise ValueError(f"cannot build text engine {name!r}: {error}") from error
    if not isinstance(engine, TextEngine):
        raise ValueError(f"text engine {name!r} lacks suggest(), duplicates() or index()")
    return engine
