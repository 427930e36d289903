"""Whole consultations as one JSON file: export, import, and the format between them.

``export.export_consultation`` reads a consultation (in one consistent snapshot)
into a plain dict; ``schema.dumps`` writes it as stable, indented UTF-8 JSON;
``importer.import_consultation`` checks an archive strictly and recreates the
consultation in one write transaction. The format is documented in
``docs/archive-format.md`` and described by the Structs of ``schema.py``.

Two ideas make archives portable and exports repeatable:

* identifiers inside an archive are local to it (1..n per table, in database id
  order), never database ids, and every reference is translated both ways —
  including those inside the board history's change sets and the published
  restitution documents (``translate.py``);
* an archive holds no secret and nothing derived: no accounts, no invitation
  token, no rendered HTML (it is rendered again on import, so an archive cannot
  smuggle markup into pages), no export date.

So exporting, importing into an empty database and exporting again gives the
same bytes.
"""

from concerto.archive.schema import ArchiveError

__all__ = ["ArchiveError"]
