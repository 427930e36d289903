"""QR codes of invitation and return links, as inline SVG that scales with its box."""

from __future__ import annotations

from html import escape

import segno
from markupsafe import Markup


def qr_svg(url: str, label: str) -> Markup:
    """``url`` as an accessible SVG image named ``label`` (error correction M: survives a smudged print)."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, svgclass="qr", lineclass=None, title=label, border=2)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
