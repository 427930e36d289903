"""How the board's history reads: one French sentence per recorded action."""

from __future__ import annotations

from typing import Any

from concerto.errors import N_
from concerto.i18n import gettext, ngettext

_SENTENCES = {
    "create_theme": N_("created the theme “%(theme)s”"),
    "update_theme": N_("edited the theme “%(theme)s”"),
    "move_theme": N_("moved the theme “%(theme)s”"),
    "merge_themes": N_("merged “%(source)s” into “%(theme)s”"),
    "split_theme": N_("split “%(source)s” into a new theme “%(theme)s”"),
    "dissolve_theme": N_("removed the theme “%(theme)s”"),
    "move_to_group": N_("moved “%(title)s” to the working group “%(group)s”"),
    "mark_duplicate": N_("grouped “%(title)s” with “%(root)s”"),
    "unmark_duplicate": N_("ungrouped “%(title)s”"),
    "dismiss_pair": N_("said “%(title)s” and “%(root)s” are not duplicates"),
}


def describe(kind: str, details: dict[str, Any]) -> str:
    if kind == "undo":
        return gettext("undid: %(action)s", action=describe(details.get("undone_kind", ""), details))
    if kind == "place":
        count = details.get("count", 0)
        if details.get("theme"):
            return ngettext(
                "moved %(num)s contribution to “%(theme)s”", "moved %(num)s contributions to “%(theme)s”", count, theme=details["theme"]
            )
        return ngettext("took %(num)s contribution out of its theme", "took %(num)s contributions out of their themes", count)
    if kind == "accept_suggestions":
        return ngettext(
            "accepted %(num)s suggested theme", "accepted %(num)s suggested themes", details.get("themes", 0)
        )
    sentence = _SENTENCES.get(kind)
    if sentence is None:
        return kind
    params = {key: details.get(key, "") for key in ("theme", "source", "title", "group", "root")}
    return gettext(sentence, **params)


def board_action_label(entry: dict[str, Any]) -> str:
    """For templates: a history row as a sentence."""
    return describe(entry["kind"], entry["details"])
