"""The Jinja2 environment: autoescape, gettext, and a few formatting filters."""

from __future__ import annotations

import datetime as dt
import secrets

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from concerto import i18n, labels
from concerto.board.history import board_action_label
from concerto.live.events import server_now
from concerto.markdown import render_markdown
from concerto.settings import Settings


def _markdown(text: str) -> Markup:
    # Safe: the renderer escapes raw HTML and drops unsafe links.
    return Markup(render_markdown(text))


def _step_label(kind: str) -> str:
    from concerto.live.steps import STEP_KINDS

    return i18n.gettext(STEP_KINDS[kind].label) if kind in STEP_KINDS else ""


def _clock(value: str | dt.datetime | None) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return i18n.format_clock(value)


def build_environment(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(settings.templates_dir)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=settings.debug,
    )
    env.install_gettext_callables(
        i18n.template_gettext, i18n.template_ngettext, newstyle=True, pgettext=i18n.template_pgettext
    )
    env.filters.update(
        markdown=_markdown,
        day=i18n.format_day,
        moment=i18n.format_moment,
        number=i18n.format_number,
        clock=_clock,
        local_input=i18n.local_input,
    )
    env.globals.update(
        get_locale=i18n.get_locale,
        locales=i18n.LOCALES,
        language_name=i18n.language_name,
        role_label=labels.role_label,
        author_label=labels.author_label,
        status_label=labels.status_label,
        comment_status_label=labels.comment_status_label,
        field_label=labels.field_label,
        board_action_label=board_action_label,
        meeting_kind_label=labels.meeting_kind_label,
        meeting_kind_options=labels.meeting_kind_options,
        consultation_status_options=labels.consultation_status_options,
        step_label=_step_label,
        server_now=server_now,
        # A fresh idempotency key for each form rendered (see concerto.idempotency).
        request_key=lambda: secrets.token_urlsafe(16),
    )
    return env


def template_config(settings: Settings) -> TemplateConfig:
    engine = JinjaTemplateEngine.from_environment(build_environment(settings))
    return TemplateConfig(instance=engine)
