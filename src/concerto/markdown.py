"""The one Markdown renderer for user text: raw HTML off, safe links only."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

_SAFE_LINK = re.compile(r"^(https?:|mailto:|#|/(?!/)|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)


def _validate_link(url: str) -> bool:
    """Allow http(s), mailto and relative links; refuse javascript:, data: and the rest."""
    return bool(_SAFE_LINK.match(url.strip()))


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # No images: a remote image in a participant's text would track every reader.
    md.disable("image")
    md.validateLink = _validate_link

    def link_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


_renderer = _build()


def render_markdown(text: str) -> str:
    """HTML for user Markdown; any raw HTML in the input comes out escaped."""
    return _renderer.render(text or "")


def parse_markdown(text: str) -> list[Token]:
    """The token stream of the same parser (unsafe links already refused), for other formats."""
    return _renderer.parse(text or "")


def render_plain(paragraphs: list[str]) -> str:
    """HTML for ``plain_paragraphs`` output: exactly what the parser would render."""
    return "".join(f"<p>{escapeHtml(paragraph)}</p>\n" for paragraph in paragraphs)


def render_tokens(tokens: list[Token]) -> str:
    """HTML for tokens from ``parse_markdown`` (possibly adjusted by the caller)."""
    return _renderer.renderer.render(tokens, _renderer.options, {})


# Anything that could be Markdown syntax (or an entity, or a hard break) anywhere
# in the text; without any, the text is plain paragraphs and needs no parser.
_SYNTAX = re.compile(r"[\\`*_\[\]<>#|~!&=\x00]|^\s*(?:[-+]|\d{1,9}[.)])(?:\s|$)|^(?: {4}|\t)| {2,}$", re.MULTILINE)


def plain_paragraphs(text: str) -> list[str] | None:
    """The paragraphs of text with no Markdown syntax at all (lines joined by "\\n"), else None.

    A fast path for the long documents: most contributions are plain prose, and
    for those the result is what the parser would give, without the parser.
    """
    if _SYNTAX.search(text or ""):
        return None
    blocks = re.split(r"\n[ \t\r]*\n", (text or "").strip())
    return ["\n".join(line.strip() for line in block.split("\n") if line.strip()) for block in blocks if block.strip()]


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def lines_outside_fences(lines: list[str]):
    """The indexes of the lines of some Markdown that are not in a fenced code block (nor its fences)."""
    fence: str | None = None
    for index, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        yield index


def plain_excerpt(text: str, limit: int = 200) -> str:
    """A short plain-text preview (for titles, notifications and meta tags)."""
    flat = re.sub(r"[*_`#>\[\]()!]", "", text or "")
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
