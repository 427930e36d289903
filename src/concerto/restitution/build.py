"""Assemble the restitution document from the database (a handful of queries, any size)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from concerto import i18n
from concerto.errors import N_
from concerto.labels import author_label, meeting_kind_label
from concerto.restitution.model import (
    Document,
    Figures,
    GroupedItem,
    GroupFigures,
    GroupSection,
    HighlightedComment,
    Item,
    Labels,
    MeetingRow,
    ThemeSection,
)
from concerto.tables import Contribution


@dataclass(frozen=True)
class Options:
    """What facilitators chose to put in (see ``services.read_options``)."""

    min_support: int = 0
    include_hidden: bool = False
    show_authors: bool = False
    group_order: tuple[int, ...] = ()  # group ids; groups not listed follow in board order


def labels() -> Labels:
    """The document's fixed words in the current language."""
    _ = i18n.gettext
    return Labels(
        acquis=_("The achievements to build on"),
        enjeux=i18n.pgettext("restitution heading", "New challenges"),
        introduction=_("Introduction"),
        context=_("Context and principles"),
        calendar=_("Calendar"),
        figures=_("Participation"),
        next_steps=_("Next steps"),
        highlighted=_("Highlighted comments"),
        support=i18n.translations(i18n.get_locale()).ngettext("%(num)s supporter", "%(num)s supporters", 1),
        support_plural=i18n.translations(i18n.get_locale()).ngettext("%(num)s supporter", "%(num)s supporters", 2),
        grouped_with=_("Grouped with this contribution"),
        table_of_contents=_("Contents"),
        page=_("Page"),
        chart_title=_("Contributions and votes per working group"),
        columns={
            "date": _("Date"),
            "meeting": _("Meeting"),
            "place": _("Place"),
            "attendance": _("Attendance"),
            "contributions": _("Contributions"),
            "group": _("Working group"),
            "acquis": _("Achievements"),
            "enjeux": _("New challenges"),
            "votes": _("Votes"),
            "comments": _("Comments"),
            "contributors": _("Contributors"),
        },
        sentences={
            "unthemed": _("Contributions not yet in a theme"),
            "participants": _("participants"),
            "contributors": _("contributors"),
            "supporters": _("people who voted"),
            "comments": _("comments"),
            "votes": _("votes"),
            "attendance": _("attendances at the meetings"),
            "draft": _("Draft"),
            "anonymous": _("Contributions are shown without their authors' names."),
        },
    )


N_("Restitution — version %(number)s of %(date)s")
N_("Restitution — draft of %(date)s")

# -- queries (plain SQL through raw(): the largest consultations have tens of thousands of rows) --

_CONTRIBUTIONS_SQL = """
SELECT c.id, c.working_group, c.theme, c.duplicate_of, c.title, c.body, c.body_html, c.status, c.created_at, c.author,
       k.code AS kind, p.display_name AS author_name, p.organisation AS author_organisation
FROM contribution c
JOIN contribution_kind k ON k.id = c.kind
JOIN participant p ON p.id = c.author
WHERE c.consultation = {} AND c.status IN ({}, {})
ORDER BY c.id
"""
# Support is one COUNT per contribution (one vote per person and contribution is
# a unique index); only families of grouped duplicates need COUNT(DISTINCT), and
# counting distinct people over every vote of a large consultation is ten times slower.
_VOTE_COUNTS_SQL = """
SELECT v.contribution, COUNT(*) AS n
FROM vote v JOIN contribution c ON c.id = v.contribution
WHERE c.consultation = {} AND c.status IN ({}, {})
GROUP BY v.contribution
"""
_FAMILY_SUPPORT_SQL = """
SELECT COALESCE(c.duplicate_of, c.id) AS root, COUNT(DISTINCT v.participant) AS support
FROM vote v JOIN contribution c ON c.id = v.contribution
WHERE c.consultation = {} AND c.status IN ({}, {})
  AND (c.duplicate_of IS NOT NULL
       OR c.id IN (SELECT d.duplicate_of FROM contribution d WHERE d.consultation = {} AND d.duplicate_of IS NOT NULL))
GROUP BY COALESCE(c.duplicate_of, c.id)
"""
_VOTERS_SQL = """
SELECT COUNT(*) AS voters FROM participant p
WHERE p.consultation = {} AND EXISTS (
    SELECT 1 FROM vote v JOIN contribution c ON c.id = v.contribution
    WHERE v.participant = p.id AND c.consultation = {} AND c.status IN ({}, {})
)
"""
_COMMENTS_SQL = """
SELECT m.contribution, COUNT(*) AS n
FROM comment m JOIN contribution c ON c.id = m.contribution
WHERE c.consultation = {} AND m.status = 'published'
GROUP BY m.contribution
"""
_HIGHLIGHTED_SQL = """
SELECT m.contribution, m.body, p.display_name AS author_name, p.organisation AS author_organisation
FROM comment m JOIN contribution c ON c.id = m.contribution JOIN participant p ON p.id = m.author
WHERE c.consultation = {} AND m.status = 'published' AND m.highlighted = {}
ORDER BY m.created_at, m.id
"""


async def build_document(
    consultation: dict,
    *,
    introduction: str = "",
    context: str = "",
    next_steps: str = "",
    options: Options = Options(),
    version: int | None = None,
    published: dt.date | None = None,
) -> Document:
    """The whole document, ranked by support, as the options say."""
    from concerto.board.services import themes_of
    from concerto.consultations.services import meetings as meetings_of
    from concerto.groups.services import list_for

    cid = consultation["id"]
    statuses = ("published", "hidden" if options.include_hidden else "published")
    rows = await Contribution.raw(_CONTRIBUTIONS_SQL, cid, *statuses)
    vote_counts = {row["contribution"]: row["n"] for row in await Contribution.raw(_VOTE_COUNTS_SQL, cid, *statuses)}
    support = dict(vote_counts)
    support.update(
        {row["root"]: row["support"] for row in await Contribution.raw(_FAMILY_SUPPORT_SQL, cid, *statuses, cid)}
    )
    voters = (await Contribution.raw(_VOTERS_SQL, cid, cid, *statuses))[0]["voters"]
    comment_counts = {row["contribution"]: row["n"] for row in await Contribution.raw(_COMMENTS_SQL, cid)}
    highlighted = await Contribution.raw(_HIGHLIGHTED_SQL, cid, True)

    groups = await list_for(cid)
    order = {group_id: index for index, group_id in enumerate(options.group_order)}
    groups.sort(key=lambda group: (order.get(group["id"], len(order)), group["position"], group["id"]))

    # Names only if the facilitators chose to show them; organisations only if the consultation shows them.
    organisations = bool(consultation.get("show_organisations"))

    def author(row: dict) -> str | None:
        if not options.show_authors:
            return None
        return author_label(row["author_name"], row["author_organisation"] if organisations else None)

    by_id = {row["id"]: row for row in rows}
    children: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if row["duplicate_of"] in by_id:
            children[row["duplicate_of"]].append(row)

    def item(row: dict) -> Item:
        return Item(
            id=row["id"],
            title=row["title"],
            body=row["body"],
            kind=row["kind"],
            support=support.get(row["id"], 0),
            comments=comment_counts.get(row["id"], 0),
            author=author(row),
            grouped=[
                GroupedItem(
                    id=child["id"],
                    title=child["title"],
                    author=author(child),
                    body=child["body"],
                    comments=comment_counts.get(child["id"], 0),
                    status=child["status"],
                )
                for child in children.get(row["id"], [])
            ],
            status=row["status"],
            body_html=row["body_html"],
        )

    roots = [row for row in rows if row["duplicate_of"] not in by_id]
    kept = [row for row in roots if support.get(row["id"], 0) >= options.min_support]
    titles = {row["id"]: row["title"] for row in rows}
    comments_by_item: dict[int, list[HighlightedComment]] = defaultdict(list)
    for comment in highlighted:
        target = by_id.get(comment["contribution"])
        if target is None:
            continue
        root_id = target["duplicate_of"] if target["duplicate_of"] in by_id else target["id"]
        comments_by_item[root_id].append(
            HighlightedComment(titles[target["id"]], author(comment), comment["body"])
        )

    words = labels()
    sections = []
    all_figures = []
    for group in groups:
        members = [row for row in kept if row["working_group"] == group["id"]]
        themes = await themes_of(group["id"])
        known = {theme["id"] for theme in themes}
        entries = [(theme["title"], theme["summary"], theme["id"], True) for theme in themes]
        entries.append((words.sentences["unthemed"], "", None, False))
        theme_sections = []
        for title, synthesis, theme_id, is_theme in entries:
            inside = [row for row in members if (row["theme"] if row["theme"] in known else None) == theme_id]
            if not inside and not is_theme:
                continue
            ranked = sorted((item(row) for row in inside), key=lambda it: (-it.support, it.id))
            theme_sections.append(
                ThemeSection(
                    title=title,
                    synthesis=synthesis,
                    acquis=[it for it in ranked if it.kind == "acquis"],
                    enjeux=[it for it in ranked if it.kind != "acquis"],
                    comments=[c for it in ranked for c in comments_by_item.get(it.id, [])],
                    is_theme=is_theme,
                )
            )
        in_group = [row for row in rows if row["working_group"] == group["id"]]
        figures = GroupFigures(
            title=group["title"],
            acquis=sum(1 for row in in_group if row["kind"] == "acquis"),
            enjeux=sum(1 for row in in_group if row["kind"] != "acquis"),
            votes=sum(vote_counts.get(row["id"], 0) for row in in_group),
            comments=sum(comment_counts.get(row["id"], 0) for row in in_group),
            contributors=len({row["author"] for row in in_group}),
        )
        all_figures.append(figures)
        sections.append(GroupSection(group["title"], group["description"], theme_sections, figures))

    meetings = await meetings_of(cid)
    per_day = Counter(i18n.local_date(row["created_at"]) for row in rows)
    calendar = [
        MeetingRow(
            date=meeting["date"],
            title=meeting["title"],
            kind=meeting_kind_label(meeting["kind"]).capitalize(),
            place=meeting["place"],
            attendance=meeting["attendance"],
            contributions=per_day.get(meeting["date"], 0),
            notes=meeting["notes"],
        )
        for meeting in meetings
    ]
    participants = await _participant_count(cid)
    figures = Figures(
        participants=participants,
        contributors=len({row["author"] for row in rows}),
        acquis=sum(1 for row in rows if row["kind"] == "acquis"),
        enjeux=sum(1 for row in rows if row["kind"] != "acquis"),
        votes=sum(vote_counts.values()),
        supporters=voters,
        comments=sum(comment_counts.get(row["id"], 0) for row in rows),
        attendance=sum(meeting["attendance"] or 0 for meeting in meetings),
        groups=all_figures,
    )
    day = published or dt.date.today()
    subtitle = (
        i18n.gettext("Restitution — version %(number)s of %(date)s", number=version, date=i18n.format_day(day))
        if version
        else i18n.gettext("Restitution — draft of %(date)s", date=i18n.format_day(day))
    )
    return Document(
        title=consultation["title"],
        slug=consultation["slug"],
        subtitle=subtitle,
        date=day,
        version=version,
        language=i18n.get_locale(),
        labels=words,
        introduction=introduction,
        context=context,
        calendar=calendar,
        figures=figures,
        groups=sections,
        next_steps=next_steps,
        show_authors=options.show_authors,
    )


async def _participant_count(consultation_id: int) -> int:
    from concerto.tables import Participant

    return await Participant.count().where(
        (Participant.consultation == consultation_id) & (Participant.role != "observer")
    )
