"""Exporters: one module per format, all rendering the same ``Document``.

Like Datasette's output renderers: a registry ``format -> Exporter``. Adding a
format is adding one module here that calls ``register()``, and naming it in
``MODULES`` below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from concerto.restitution.model import Document


@dataclass(frozen=True)
class Exporter:
    name: str  # the format's short name: odt, docx, pdf, html, md, csv, json
    label: str  # shown on download buttons (not translated: format names)
    media_type: str
    extension: str
    render: Callable[[Document], bytes]
    slow: bool = False  # the page shows progress while it is produced


EXPORTERS: dict[str, Exporter] = {}
# Format -> the module that registers it. Modules are imported when first used:
# the office and PDF libraries take a second to import, a CSV needs none of them.
MODULES = {
    "odt": "odt",
    "docx": "docx",
    "pdf": "pdf",
    "html": "html",
    "md": "markdown",
    "csv": "data",
    "json": "data",
}


def register(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.name] = exporter
    return exporter


def get(name: str) -> Exporter | None:
    if name not in MODULES:
        return None
    if name not in EXPORTERS:
        importlib.import_module(f"{__name__}.{MODULES[name]}")
    return EXPORTERS[name]


def all_exporters() -> list[Exporter]:
    """Every format, in the order of ``MODULES`` (ODF first: the French public standard)."""
    return [get(name) for name in MODULES]
