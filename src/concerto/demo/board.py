"""The demo's board and restitution: what facilitators would have done after the workshops.

Two groups are sorted into themes (with their duplicates grouped), one is partly
sorted, and the last is left for the suggestions to work on.
"""

import json

THEMES = {
    "g1": [
        (
            "Financer la création et le changement d’échelle",
            "Les outils financiers de la Métropole ont fait leurs preuves ; il manque une enveloppe d’**amorçage**, "
            "des financements **pluriannuels** et un appui pour aller chercher les fonds européens.",
            ["c01", "c05", "c07", "c09", "c10", "c13"],
        ),
        (
            "Locaux et mutualisation",
            "Le foncier est le premier frein cité dans tous les ateliers ; la mutualisation d’emplois et d’outils revient partout.",
            ["c02", "c12", "c04", "c16"],
        ),
        (
            "Accompagner les porteurs de projets",
            "Un accompagnement qui existe mais reste difficile à trouver : l’idée d’un guichet unique fait consensus.",
            ["c03", "c06", "c08", "c11", "c14", "c15"],
        ),
    ],
    "g2": [
        (
            "Une commande publique responsable",
            "Les clauses d’insertion sont un acquis ; l’enjeu est maintenant d’**allotir** et de former les acheteurs, "
            "y compris dans les communes.",
            ["c17", "c18", "c27", "c20", "c28", "c31"],
        ),
        (
            "Filières et alliances économiques",
            "Réemploi, alimentation, textile, mobilité : des filières se structurent quand l’ESS et les entreprises "
            "travaillent sur des besoins précis.",
            ["c19", "c21", "c23", "c24", "c25", "c26", "c29", "c30"],
        ),
    ],
    "g3": [
        (
            "Une présence dans les quartiers",
            "",
            ["c35", "c36", "c37", "c41"],
        ),
    ],
}

# (contribution, grouped with): the same idea written by two people.
DUPLICATES = [("c12", "c02"), ("c27", "c18")]

HIGHLIGHTED_COMMENTS = ["k01", "k14", "k27"]

RESTITUTION = {
    "introduction": (
        "Entre septembre et décembre 2026, la Métropole du Val d’Auranne a réuni les acteurs de l’économie sociale "
        "et solidaire, les communes et les habitants pour préparer son plan ESS 2027-2032 : une rencontre de "
        "lancement, deux ateliers et un comité métropolitain, puis une consultation en ligne.\n\n"
        "Ce document restitue ce qui a été dit : pour chaque groupe de travail, **les acquis à développer** et "
        "**les nouveaux enjeux**, classés selon le nombre de personnes qui les ont soutenus."
    ),
    "context": (
        "## Les principes validés par le comité métropolitain\n\n"
        "- l’ESS, une façon d’entreprendre à part entière, présente dans toutes les politiques de la Métropole ;\n"
        "- partir de ce qui fonctionne avant d’inventer de nouveaux dispositifs ;\n"
        "- une ambition métropolitaine qui s’appuie sur les communes et les quartiers."
    ),
    "next_steps": (
        "Quatre groupes de travail, composés d’acteurs du territoire, de techniciens de la Métropole et des "
        "communes, déclineront les actions prioritaires à partir des enjeux identifiés :\n\n"
        "1. Entreprendre et coopérer ;\n"
        "2. Achats responsables, filières et alliances économiques ;\n"
        "3. L’ESS dans les communes et les quartiers ;\n"
        "4. Sensibiliser, former, évaluer.\n\n"
        "Présentation au comité métropolitain au printemps 2027, délibération du plan en septembre."
    ),
    "figures_text": (
        "Quatre rencontres ont réuni les acteurs du territoire ; la consultation en ligne a prolongé les "
        "ateliers. Une trentaine de personnes ont contribué sur papier sans utiliser Concerto : elles sont "
        "comptées parmi les participants."
    ),
    # What the facilitators chose in the restitution's editor (see restitution.services.update).
    "options": json.dumps(
        {
            "subtitle": "Préparation du plan ESS 2027-2032",
            # After the committee of 10 December, as the story goes: it is then a meeting held, not one to come.
            "date": "2026-12-15",
            "organiser": "Métropole du Val d’Auranne",
            "declared_participants": 31,
            "titles": {"calendar": "Rappel du calendrier", "context": "Mise en perspective"},
        },
        ensure_ascii=False,
    ),
}
