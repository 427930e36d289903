"""The French catalog is complete and consistent with the English msgids in code and templates."""

from __future__ import annotations

import contextvars
import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from concerto import i18n
from concerto.settings import Settings
from concerto.web.templating import build_environment

ROOT = Path(__file__).resolve().parents[2]
CATALOG = i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _dev_keywords() -> tuple[str, ...]:
    # dev.py (stdlib only, safe to import) owns the keyword list `python3 dev.py messages` uses.
    spec = importlib.util.spec_from_file_location("concerto_dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.KEYWORDS


def extracted_msgids() -> dict[str | tuple[str, str], tuple[str, ...]]:
    """msgid (or (context, msgid)) -> every form of it, as `python3 dev.py messages` extracts them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = parse_keywords(list(_dev_keywords()))
    found: dict[str, tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[(context, forms[0]) if context else forms[0]] = forms
    return found


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="fr")


def in_locale(locale: str, function):
    """Run ``function`` with ``locale`` set, without leaking the locale into other tests."""

    def run():
        i18n.set_locale(locale)
        return function()

    return contextvars.copy_context().run(run)


def test_extraction_finds_python_templates_n_and_plurals():
    msgids = extracted_msgids()
    assert "Achievements to build on" in msgids  # N_() in Python
    assert "This page or item does not exist" in msgids  # N_() class attribute
    assert "Skip to content" in msgids  # _() in a template
    assert msgids["supporter"] == ("supporter", "supporters")  # ngettext() in a template
    assert len(msgids) > 200


def test_catalog_header_is_french_with_its_plural_rule(catalog):
    assert str(catalog.locale) == "fr"
    assert catalog.plural_forms == "nplurals=2; plural=(n > 1);"
    assert catalog.charset.lower() == "utf-8"


def test_every_msgid_has_a_french_translation(catalog):
    missing = []
    for key, forms in sorted(extracted_msgids().items(), key=lambda item: str(item[0])):
        context, msgid = key if isinstance(key, tuple) else (None, key)
        message = catalog.get(msgid, context=context)
        strings = () if message is None else message.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(text.strip() for text in strings):
            missing.append(f"{msgid} (context {context})" if context else msgid)
        elif len(forms) > 1 and not message.pluralizable:
            missing.append(f"{msgid} (needs plural forms)")
    assert not missing, (
        f"{len(missing)} message(s) without French in {CATALOG} "
        "(run `python3 dev.py messages`, then translate):\n" + "\n".join(missing)
    )


def test_catalog_has_no_fuzzy_entries(catalog):
    assert [message.id for message in catalog if message.id and message.fuzzy] == []


def test_placeholders_are_the_same_in_english_and_french(catalog):
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        french = message.string if isinstance(message.string, tuple) else (message.string,)
        # French uses its singular for 0 and 1, so every French form carries every English placeholder.
        expected = {name for form in english for name in PLACEHOLDER.findall(form)}
        params = dict.fromkeys(expected | {"num"}, 1)
        for text in french:
            if set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{english[0]!r} -> {text!r}")
            elif expected:
                try:
                    text % params  # a stray % would break the page at runtime
                except (ValueError, TypeError, KeyError) as error:
                    wrong.append(f"{english[0]!r} -> {text!r} ({error})")
    assert not wrong, "Placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_french_is_the_default_and_english_is_the_msgid():
    def texts():
        return (
            i18n.gettext("Working groups"),
            i18n.gettext("This field is required."),
            i18n.gettext("You take part as %(name)s", name="Camille"),
        )

    assert in_locale("fr", texts) == ("Groupes de travail", "Ce champ est obligatoire.", "Vous participez sous le nom Camille")
    assert contextvars.Context().run(texts)[0] == "Groupes de travail"  # no locale set: French
    assert in_locale("en", texts) == ("Working groups", "This field is required.", "You take part as Camille")


def test_french_plural_uses_the_singular_for_zero_and_one():
    def supporters():
        return [f"{n} {i18n.ngettext('supporter', 'supporters', n)}" for n in (0, 1, 2, 12)]

    assert in_locale("fr", supporters) == ["0 soutien", "1 soutien", "2 soutiens", "12 soutiens"]
    assert in_locale("en", supporters) == ["0 supporters", "1 supporter", "2 supporters", "12 supporters"]
    singular = "You have %(num)s vote left out of %(budget)s in this group."
    plural = "You have %(num)s votes left out of %(budget)s in this group."
    left = in_locale("fr", lambda: [i18n.ngettext(singular, plural, n, budget=3) for n in (0, 1, 2)])
    assert left == [
        "Il vous reste 0 vote sur 3 dans ce groupe.",
        "Il vous reste 1 vote sur 3 dans ce groupe.",
        "Il vous reste 2 votes sur 3 dans ce groupe.",
    ]


def test_templates_translate_format_and_escape_parameters():
    env = build_environment(Settings(secret_key="test-secret-key-that-is-long-enough-0123456789"))
    template = env.from_string(
        '{{ _("You take part as %(name)s", name=who) }} | '
        '{{ ngettext("You have %(num)s vote left out of %(budget)s in this group.", '
        '"You have %(num)s votes left out of %(budget)s in this group.", left, budget=5) }}'
    )
    assert in_locale("fr", lambda: template.render(who="<Camille>", left=1)) == (
        "Vous participez sous le nom &lt;Camille&gt; | Il vous reste 1 vote sur 5 dans ce groupe."
    )
    assert in_locale("en", lambda: template.render(who="Camille", left=2)) == (
        "You take part as Camille | You have 2 votes left out of 5 in this group."
    )
