"""Restitution pages: the editor, live preview, publishing, highlights, public versions."""

from __future__ import annotations

from concerto.comments import services as comments
from concerto.tables import Comment, Restitution, RestitutionVersion
from tests.browser import text_of
from tests.factories import PASSWORD, make_contribution, make_participant, make_world


async def test_editor_save_preview_and_publish(browser, new_browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.login(world.email, PASSWORD)
    url = f"/c/{slug}/facilitation/restitution"
    page = await browser.get(url)
    assert page.status_code == 200 and "Préparer la restitution" in text_of(page.text)
    response = await browser.post(url, {"introduction": "Soixante **participants**", "next_steps": "Quatre groupes", "min_support": "2", "show_authors": "1", f"order_{world.group['id']}": "1"})
    assert response.status_code == 303
    row = await Restitution.select(Restitution.introduction, Restitution.options).first()
    assert row["introduction"] == "Soixante **participants**" and '"min_support": 2' in row["options"] and '"show_authors": true' in row["options"]
    preview = await browser.post(f"{url}/preview", {"text": "Un *aperçu* <script>x</script>"})
    assert preview.status_code == 200 and "<em>aperçu</em>" in preview.text and "<script>" not in preview.text
    refused = await browser.post(url, {"min_support": "-5"})
    assert refused.status_code == 422 and "Soutien minimum" in text_of(refused.text)
    assert (await browser.post(f"{url}/publish")).status_code == 303
    assert await RestitutionVersion.count() == 1
    public = await (await new_browser()).get(f"/c/{slug}/restitution")
    assert public.status_code == 200 and "Version 1" in text_of(public.text)


async def test_participants_cannot_prepare_or_publish(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.join(slug, world.token)
    assert (await browser.get(f"/c/{slug}/facilitation/restitution")).status_code == 403
    assert (await browser.post(f"/c/{slug}/facilitation/restitution", {"introduction": "Piraté"})).status_code == 403
    assert (await browser.post(f"/c/{slug}/facilitation/restitution/publish")).status_code == 403
    assert (await browser.get(f"/c/{slug}/facilitation/restitution/draft/md")).status_code == 403
    assert await Restitution.count() == 0 and await RestitutionVersion.count() == 0


async def test_highlight_a_comment_from_the_contribution_page(browser):
    world = await make_world()
    author = await make_participant(world)
    item = await make_contribution(world, author)
    comment_id = await comments.add(author, item, {"body": "Très juste"})
    await browser.login(world.email, PASSWORD)
    slug = world.consultation["slug"]
    page = await browser.get(f"/c/{slug}/contributions/{item}")
    assert "Mettre en avant dans la restitution" in text_of(page.text)
    response = await browser.post(f"/c/{slug}/comments/{comment_id}/highlight", {"on": "1", "next": f"/c/{slug}/contributions/{item}"})
    assert response.status_code == 303 and response.headers["location"] == f"/c/{slug}/contributions/{item}"
    assert (await Comment.select(Comment.highlighted).first())["highlighted"] is True
    assert "Retirer de la restitution" in text_of((await browser.get(f"/c/{slug}/contributions/{item}")).text)


async def test_unknown_versions_and_formats_are_404(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    assert (await browser.get(f"/c/{slug}/restitution/versions/3/md")).status_code == 404
    await browser.login(world.email, PASSWORD)
    assert (await browser.get(f"/c/{slug}/facilitation/restitution/draft/xls")).status_code == 404


async def test_draft_downloads_and_stable_version_links(browser, new_browser):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    await make_contribution(world, author, "Une foncière solidaire", kind="enjeu")
    slug = world.consultation["slug"]
    await browser.login(world.email, PASSWORD)
    for name, media in (("md", "text/markdown"), ("odt", "application/vnd.oasis.opendocument.text"), ("csv", "text/csv")):
        response = await browser.get(f"/c/{slug}/facilitation/restitution/draft/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        assert f'filename="restitution-{slug}-brouillon.{name}"' in response.headers["content-disposition"]
    assert "Une foncière solidaire" in (await browser.get(f"/c/{slug}/facilitation/restitution/draft/md")).text
    await browser.post(f"/c/{slug}/facilitation/restitution/publish")
    reader = await new_browser()
    first = await reader.get(f"/c/{slug}/restitution/versions/1/odt")
    # Later contributions change the draft, never a published version.
    await make_contribution(world, author, "Arrivée après la publication")
    again = await reader.get(f"/c/{slug}/restitution/versions/1/odt")
    assert first.status_code == 200 and first.content == again.content
    assert "Arrivée après la publication" not in (await reader.get(f"/c/{slug}/restitution/versions/1/md")).text
    assert "Arrivée après la publication" in (await browser.get(f"/c/{slug}/facilitation/restitution/draft/md")).text
