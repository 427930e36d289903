"""Assemble the restitution document from the database (a handful of queries, any size)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from babel.numbers import format_decimal

from concerto import i18n
from concerto.errors import N_
from concerto.labels import FROM_TO, author_label, meeting_kind_label
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
from concerto.restitution.typography import french, french_html, french_markdown
from concerto.tables import Contribution


# The sections whose title facilitators can change and that they can leave out.
SECTIONS = ("introduction", "calendar", "context", "figures", "next_steps")
# The headline figures, in the order they are listed; facilitators choose which appear.
FIGURES = ("participants", "meetings", "attendance", "contributors", "contributions", "votes", "supporters", "comments")
DEFAULT_FIGURES = FIGURES  # every figure (one at zero never shows)


@dataclass(frozen=True)
class Options:
    """What facilitators chose to put in (see ``services.read_options``)."""

    min_support: int = 0
    include_hidden: bool = False
    show_authors: bool = False
    group_order: tuple[int, ...] = ()  # group ids; groups not listed follow in board order
    show_support: bool | None = None  # « 3 soutiens » after each item; None: when anybody voted
    show_chart: bool = True
    figures: tuple[str, ...] = DEFAULT_FIGURES  # which headline figures appear (a figure at 0 never does)
    # People who took part without using Concerto (on paper, in the room): added to the participants.
    declared_participants: int | None = None
    subtitle: str = ""  # "" gives « Restitution — version 2 du 14 mars 2027 »
    date: dt.date | None = None  # None: the day it is compiled (published: the day of publication)
    organiser: str = ""  # the document's author (« Métropole européenne de Lille »)
    titles: tuple[tuple[str, str], ...] = ()  # (section, title) for sections given another title
    omitted: tuple[str, ...] = ()  # sections left out
    csv_french: bool | None = None  # « ; » and French headers; None: when the document is in French

    def title(self, section: str) -> str:
        return dict(self.titles).get(section, "")


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
        csv_columns={
            "group": _("Working group"),
            "theme": _("Theme"),
            "kind": _("Kind"),
            "title": _("Title"),
            "text": _("Text"),
            "support": _("Supporters"),
            "comments": _("Comments"),
            "status": _("Status"),
            "grouped_with": _("Grouped with"),
            "author": _("Author"),
            "published": i18n.pgettext("contribution status", "published"),
            "hidden": i18n.pgettext("contribution status", "hidden"),
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
            "upcoming": _("Upcoming"),
            "from_to": _(FROM_TO),
        },
    )


N_("Restitution — version %(number)s of %(date)s")
N_("Restitution — draft of %(date)s")

# -- queries (plain SQL through raw(): the largest consultations have tens of thousands of rows) --

_CONTRIBUTIONS_SQL = """
SELECT c.id, c.working_group, c.theme, c.duplicate_of, c.title, c.body, c.body_html, c.status, c.created_at, c.author,
       k.code AS kind, p.display_name AS author_name, p.organisation AS author_organisation, p.role AS author_role
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
    figures_text: str = "",
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
    for section in SECTIONS:  # each section's title is the Labels attribute of its name
        if options.title(section).strip():
            setattr(words, section, options.title(section).strip())
    sections = []
    all_figures = []
    for group in groups:
        members = [row for row in kept if row["working_group"] == group["id"]]
        themes = await themes_of(group["id"])
        known = {theme["id"] for theme in themes}
        entries = [(theme["title"], theme["summary"], theme["id"], True) for theme in themes]
        # A group without any theme lists its contributions directly, under no heading.
        entries.append((words.sentences["unthemed"] if themes else "", "", None, False))
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
            contributors=_contributors(in_group),
        )
        all_figures.append(figures)
        sections.append(GroupSection(group["title"], group["description"], theme_sections, figures))

    meetings = await meetings_of(cid)
    per_day = Counter(i18n.local_date(row["created_at"]) for row in rows)
    document_day = options.date or published or dt.date.today()  # the document's date (as ``day`` below)

    def made_during(meeting: dict) -> int:
        if meeting["date"] is None:
            return 0
        last = meeting["end_date"] or meeting["date"]
        return sum(count for when, count in per_day.items() if meeting["date"] <= when <= last)

    calendar = [
        MeetingRow(
            date=meeting["date"],
            title=meeting["title"],
            kind=_first_upper(meeting_kind_label(meeting["kind"])),
            place=meeting["place"],
            attendance=meeting["attendance"],
            contributions=made_during(meeting),
            notes=meeting["notes"],
            end_date=meeting["end_date"],
            when=meeting["when"],
            upcoming=meeting["date"] is None or meeting["date"] > document_day,
        )
        for meeting in meetings
    ]
    participants = await _participant_count(cid) + (options.declared_participants or 0)
    figures = Figures(
        participants=participants,
        contributors=_contributors(rows),
        acquis=sum(1 for row in rows if row["kind"] == "acquis"),
        enjeux=sum(1 for row in rows if row["kind"] != "acquis"),
        votes=sum(vote_counts.values()),
        supporters=voters,
        comments=sum(comment_counts.get(row["id"], 0) for row in rows),
        attendance=sum(meeting["attendance"] or 0 for meeting in meetings),
        groups=all_figures,
    )
    day = options.date or published or dt.date.today()
    met = [row for row in calendar if row.date is not None and row.date <= day and row.attendance is not None]
    counts = {
        "participants": figures.participants,
        "meetings": len(met),
        "attendance": figures.attendance,
        "contributors": figures.contributors,
        "contributions": figures.acquis + figures.enjeux,
        "votes": figures.votes,
        "supporters": figures.supporters,
        "comments": figures.comments,
    }
    language = i18n.get_locale()
    summary = [
        [format_decimal(counts[key], locale=language), _FIGURE_WORDS[key](counts[key])]
        for key in FIGURES
        if key in options.figures and counts[key]
    ]
    if options.subtitle.strip():
        # The facilitators' subtitle, still saying which version (or that it is a draft) it is.
        edition = (
            i18n.gettext("version %(number)s of %(date)s", number=version, date=i18n.format_day(day))
            if version
            else i18n.gettext("draft of %(date)s", date=i18n.format_day(day))
        )
        subtitle = f"{options.subtitle.strip()} — {edition}"
    elif version:
        subtitle = i18n.gettext("Restitution — version %(number)s of %(date)s", number=version, date=i18n.format_day(day))
    else:
        subtitle = i18n.gettext("Restitution — draft of %(date)s", date=i18n.format_day(day))
    omitted = set(options.omitted)
    if figures.votes == 0:
        words.chart_title = i18n.gettext("Contributions per working group")
    document = Document(
        title=consultation["title"],
        slug=consultation["slug"],
        subtitle=subtitle,
        date=day,
        version=version,
        language=language,
        labels=words,
        introduction="" if "introduction" in omitted else introduction,
        context="" if "context" in omitted else context,
        calendar=[] if "calendar" in omitted else calendar,
        figures=figures,
        groups=sections,
        next_steps="" if "next_steps" in omitted else next_steps,
        show_authors=options.show_authors,
        organiser=options.organiser,
        show_support=figures.votes > 0 if options.show_support is None else options.show_support,
        show_chart=options.show_chart,
        show_figures="figures" not in omitted,
        figures_text=figures_text,
        summary=summary,
        csv_french=language.split("_")[0] == "fr" if options.csv_french is None else options.csv_french,
    )
    if language.split("_")[0] == "fr":
        french_typography(document)
    return document


def _contributors(rows: list[dict]) -> int:
    """People who contributed; a facilitator typing up the room's post-its is not one of them."""
    return len({row["author"] for row in rows if row["author_role"] == "participant"})


# Each headline figure's words for a number (written before them), through gettext's plurals.
_FIGURE_WORDS = {
    "participants": lambda n: i18n.npgettext("restitution figure", "participant", "participants", n),
    "meetings": lambda n: i18n.npgettext("restitution figure", "meeting", "meetings", n),
    "attendance": lambda n: i18n.npgettext("restitution figure", "attendance at the meetings", "attendances at the meetings", n),
    "contributors": lambda n: i18n.npgettext("restitution figure", "contributor", "contributors", n),
    "contributions": lambda n: i18n.npgettext("restitution figure", "contribution", "contributions", n),
    "votes": lambda n: i18n.npgettext("restitution figure", "vote", "votes", n),
    "supporters": lambda n: i18n.npgettext("restitution figure", "person who voted", "people who voted", n),
    "comments": lambda n: i18n.npgettext("restitution figure", "comment", "comments", n),
}


def french_typography(document: Document) -> None:
    """Every text of the document with French spaces (see ``typography``), in place."""
    document.title, document.subtitle, document.organiser = (
        french(document.title), french(document.subtitle), french(document.organiser)
    )
    words = document.labels
    for name, value in vars(words).items():
        if isinstance(value, str):
            setattr(words, name, french(value))
    words.columns = {key: french(value) for key, value in words.columns.items()}
    words.sentences = {key: french(value) for key, value in words.sentences.items()}
    document.introduction = french_markdown(document.introduction)
    document.context = french_markdown(document.context)
    document.figures_text = french_markdown(document.figures_text)
    document.next_steps = french_markdown(document.next_steps)
    for row in document.calendar:
        row.title, row.kind, row.place, row.notes = french(row.title), french(row.kind), french(row.place), french_markdown(row.notes)
        row.when = french(row.when)
    for group_figures in document.figures.groups:
        group_figures.title = french(group_figures.title)
    for group in document.groups:
        group.title, group.description = french(group.title), french_markdown(group.description)
        for theme in group.themes:
            theme.title, theme.synthesis = french(theme.title), french_markdown(theme.synthesis)
            for item in (*theme.acquis, *theme.enjeux):
                body = french_markdown(item.body)
                if body != item.body:  # the stored HTML says the same words: it needs the same spaces
                    item.body, item.body_html = body, french_html(item.body_html)
                item.title = french(item.title)
                if item.author:
                    item.author = french(item.author)
                for grouped in item.grouped:
                    grouped.title, grouped.body = french(grouped.title), french_markdown(grouped.body)
            for comment in theme.comments:
                comment.contribution, comment.body = french(comment.contribution), french_markdown(comment.body)


def _first_upper(text: str) -> str:
    """« Comité » from « comité »; unlike str.capitalize(), the facilitators' « ESS » stays as typed."""
    return text[:1].upper() + text[1:]


async def _participant_count(consultation_id: int) -> int:
    from concerto.tables import Participant

    # Facilitators and observers are not participants.
    return await Participant.count().where(
        (Participant.consultation == consultation_id) & (Participant.role == "participant")
    )
