"""The one Markdown renderer for user text: raw HTML off, safe links only."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

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


def plain_excerpt(text: str, limit: int = 200) -> str:
    """A short plain-text preview (for titles, notifications and meta tags)."""
    flat = re.sub(r"[*_`#>\[\]()!]", "", text or "")
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
