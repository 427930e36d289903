"""The participation chart: contributions and votes per working group, as SVG or PNG.

Two panels share the groups' axis: acquis and nouveaux enjeux side by side on
the left, votes on the right. Votes are often ten or twenty times the number of
contributions, so one scale would flatten the contributions; two panels with
their own scale stay honest (each bar carries its number) and readable.

Built on ``matplotlib.figure.Figure`` with the Agg canvas: no pyplot, no global
figure registry, nothing kept between calls. The same document gives the same
bytes: fixed SVG hash salt, no date or software metadata.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Sequence

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from concerto.restitution.exporters._shared import number
from concerto.restitution.model import Document, GroupFigures

# Colour-blind-safe (Okabe–Ito) and distinct in greyscale print.
_ACQUIS = "#0072B2"
_ENJEUX = "#E69F00"
_VOTES = "#009E73"
_TEXT = "#222222"

_STYLE = {
    "svg.hashsalt": "concerto-restitution",
    "svg.fonttype": "none",  # real text in the SVG: selectable, searchable, read by screen readers
    "text.parse_math": False,  # a group called "5 $ par mois" is text, not TeX
    "text.usetex": False,
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
    "axes.edgecolor": "#999999",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.color": _TEXT,
    "axes.labelcolor": _TEXT,
    "xtick.color": _TEXT,
    "ytick.color": _TEXT,
    "path.simplify": False,
}


def has_chart(document: Document) -> bool:
    return document.show_chart and document.show_figures and bool(document.figures.groups)


def _with_votes(document: Document) -> bool:
    """A consultation without any vote gets no (empty) votes panel."""
    return document.figures.votes > 0


# On paper, one chart holds at most this many groups; more are drawn as several charts
# (one page each at most), so the text stays the size it was drawn at.
GROUPS_PER_PAGE = 10


def _figure(document: Document, groups: Sequence[GroupFigures] | None = None, title: str | None = None) -> Figure:
    words = document.labels
    groups = document.figures.groups if groups is None else groups
    names = [textwrap.fill(group.title, 28, max_lines=3, placeholder="…") for group in groups]
    lines = max((name.count("\n") + 1 for name in names), default=1)
    height = 1.2 + len(groups) * max(0.55, 0.22 * lines + 0.2)
    figure = Figure(figsize=(7.5, height), layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title or words.chart_title, fontsize=11, fontweight="bold")
    with_votes = _with_votes(document)
    if with_votes:
        left, right = figure.subplots(1, 2, sharey=True, width_ratios=(3, 2))
    else:
        left, right = figure.subplots(1, 1), None
    positions = list(range(len(groups)))
    bar = 0.38

    acquis = left.barh(
        [p - bar / 2 for p in positions], [g.acquis for g in groups], height=bar, color=_ACQUIS,
        label=words.columns.get("acquis", "acquis"),
    )
    enjeux = left.barh(
        [p + bar / 2 for p in positions], [g.enjeux for g in groups], height=bar, color=_ENJEUX,
        label=words.columns.get("enjeux", "enjeux"),
    )
    panels = [(left, (acquis, enjeux))]
    if right is not None:
        votes = right.barh(positions, [g.votes for g in groups], height=bar * 1.6, color=_VOTES,
                           label=words.columns.get("votes", "votes"))
        panels.append((right, (votes,)))
    for axes, containers in panels:
        for container in containers:
            values = container.datavalues
            axes.bar_label(container, labels=[number(document, int(value)) for value in values], padding=2, fontsize=8)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _position: number(document, int(value))))
        axes.margins(x=0.2)
    if len(groups) < len(document.figures.groups):
        # One of several parts: every part on the same scales, so bars compare across pages.
        everyone = document.figures.groups
        for axes, most in ((left, max(max(g.acquis, g.enjeux) for g in everyone)), (right, max(g.votes for g in everyone))):
            if most and axes is not None:
                axes.set_xlim(0, most * 1.2)
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
    left.set_title(f"{words.columns.get('acquis', '')} / {words.columns.get('enjeux', '')}", fontsize=9)
    if right is not None:
        right.set_title(words.columns.get("votes", ""), fontsize=9)
    left.set_yticks(positions, names)
    left.invert_yaxis()  # first group at the top, as in the document
    handles = [acquis, enjeux, *panels[1][1]] if right is not None else [acquis, enjeux]
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)
    return figure


_SVG_PROLOG = re.compile(r"\A.*?(?=<svg)", re.DOTALL)


def _svg(document: Document, groups: Sequence[GroupFigures] | None = None, title: str | None = None) -> str:
    with rc_context(_STYLE):
        out = io.StringIO()
        _figure(document, groups, title).savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def chart_svg(document: Document) -> str:
    """An ``<svg>`` element ready to be inlined in HTML (no XML prolog)."""
    # The size in points stays: it gives the aspect ratio; the page's CSS scales it to the width.
    return _SVG_PROLOG.sub("", _svg(document), count=1).strip()


def chart_svgs(document: Document) -> list[tuple[str, str]]:
    """For paper, as vectors: one SVG document per part (see ``chart_parts``), with its title."""
    return [(_svg(document, groups, title), title) for groups, title in chart_parts(document)]


def fit(size: tuple[float, float], max_width: float, max_height: float) -> tuple[float, float]:
    """``size`` scaled down (never up), keeping its proportions, to fit in ``max_width`` x ``max_height``."""
    width, height = size
    scale = min(1.0, max_width / width, max_height / height)
    return width * scale, height * scale


def chart_parts(document: Document) -> list[tuple[Sequence[GroupFigures], str]]:
    """The groups split into charts of at most ``GROUPS_PER_PAGE`` (as even as can be), each with its title.

    The chart grows one row per working group: drawn whole, a consultation with
    many groups would give a chart taller than a page, which office documents
    crop and a PDF cannot lay out.
    """
    groups = document.figures.groups
    count = max(1, math.ceil(len(groups) / GROUPS_PER_PAGE))
    if count == 1:
        return [(groups, document.labels.chart_title)]
    size, extra = divmod(len(groups), count)
    parts, start = [], 0
    for n in range(count):
        end = start + size + (n < extra)
        parts.append((groups[start:end], f"{document.labels.chart_title} ({n + 1}/{count})"))
        start = end
    return parts


def chart_pngs(document: Document, dpi: int = 150) -> list[tuple[bytes, tuple[float, float], str]]:
    """For paper: one PNG per part (see ``chart_parts``), with its size in centimetres and its title."""
    pictures = []
    with rc_context(_STYLE):
        for groups, title in chart_parts(document):
            figure = _figure(document, groups, title)
            out = io.BytesIO()
            figure.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
            width, height = figure.get_size_inches()
            pictures.append((out.getvalue(), (width * 2.54, height * 2.54), title))
    return pictures
