"""`concerto cluster FILE`: a facilitator's spreadsheet of post-its in, suggested groups and duplicates out."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from concerto.cli import main

ROWS = [
    ("1", "Créer une monnaie locale complémentaire"),
    ("2", "Une foncière solidaire pour acheter des locaux et les louer à loyer modéré"),
    ("3", "MONNAIE LOCALE !!! pour faire circuler l'argent dans les commerces du coin"),
    ("4", "Foncière solidaire : racheter des locaux vacants et les louer à prix modéré"),
    ("5", "Atelier vélo dans chaque quartier"),
    ("6", ""),
]


def run(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "CONCERTO_TEXT_ENGINE"}  # the default engine
    return subprocess.run([sys.executable, "-m", "concerto", "cluster", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def check_output(result: dict, ids: list) -> None:
    listed = [identifier for cluster in result["clusters"] for identifier in cluster["ids"]]
    assert sorted(listed, key=str) == sorted(ids, key=str), "every id in exactly one cluster"
    assert all(isinstance(cluster["label"], str) and cluster["label"] for cluster in result["clusters"])
    pairs = {(pair["a"], pair["b"]) for pair in result["duplicates"]}
    assert {(ids[0], ids[2]), (ids[1], ids[3])} <= pairs, "the two obvious duplicates"
    assert all(0 <= pair["score"] <= 1 for pair in result["duplicates"])


def test_csv_file(tmp_path):
    lines = ["id,text"] + [f'{key},"{text}"' for key, text in ROWS]
    (tmp_path / "postits.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("postits.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    check_output(result, [key for key, _ in ROWS])
    assert "oncière" in done.stdout and "\\u00e8" not in done.stdout  # ensure_ascii=False: accents as written
    assert ["6"] in [cluster["ids"] for cluster in result["clusters"]]


def test_json_file_keeps_id_types(tmp_path):
    items = [{"id": int(key), "text": text} for key, text in ROWS]
    (tmp_path / "postits.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    done = run("postits.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    check_output(json.loads(done.stdout), [int(key) for key, _ in ROWS])


def test_semicolon_csv_from_french_excel_with_bom_and_kind(tmp_path, capsys):
    lines = ["\ufeffID;Text;Kind"] + [f'{key};"{text}";enjeu' for key, text in ROWS]
    path = tmp_path / "export.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    main(["cluster", str(path)])
    check_output(json.loads(capsys.readouterr().out), [key for key, _ in ROWS])


def test_windows_1252_export_and_format_override(tmp_path, capsys):
    lines = ["id;text"] + [f"{key};{text}" for key, text in ROWS]
    path = tmp_path / "postits.txt"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    main(["cluster", "--format", "csv", str(path)])
    out = capsys.readouterr().out
    check_output(json.loads(out), [key for key, _ in ROWS])
    assert "oncière" in out  # decoded from Windows-1252, written as is


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("notes.txt", "id,text\n1,a\n", "--format"),
        ("columns.csv", "identifiant,contenu\n1,a\n", "missing columns id, text"),
        ("text.csv", "id;texte\n1;a\n", "missing column text"),
        ("twice.csv", "id,text\n1,a\n2,b\n1,c\n", "duplicate id: '1'"),
        ("header.csv", "id,text\n", "no post-its"),
        ("blank.csv", "", "header row"),
        ("empty.json", "[]", "no post-its"),
        ("broken.json", '[{"id": 1, "text": "a"', "not valid JSON"),
        ("object.json", '{"id": 1, "text": "a"}', "list of objects"),
        ("noid.json", '[{"text": "a"}]', "item 1"),
        ("twice.json", '[{"id": 1, "text": "a"}, {"id": 1, "text": "b"}]', "duplicate id: 1"),
    ],
)
def test_errors_are_explained_with_exit_code_2(tmp_path, name, content, message):
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    done = run(name, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: ") and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
