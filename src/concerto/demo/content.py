"""Demo content for Concerto: a fictional metropolitan ESS consultation.

The "Métropole du Val d'Auranne" and every person and organisation below are
invented. The genre follows a real restitution of a metropolitan ESS
consultation (transverse axes, "acquis à développer" / "nouveaux enjeux",
working groups), written from scratch.

Pure data only: plain dicts, lists, str, int, bool and ``datetime.date``.
Run ``python3 content.py`` to check the internal consistency of the data.
"""

from datetime import date

CONSULTATION = {
    "slug": "ess-2027",
    "title": "Plan métropolitain de l’ESS 2027-2032 : construisons-le ensemble",
    "summary": (
        "La Métropole du Val d’Auranne prépare son **plan pour l’économie sociale "
        "et solidaire 2027-2032**. Avant d’écrire la délibération cadre, nous "
        "voulons partir de ce qui fonctionne déjà sur le territoire et de ce qui "
        "reste à inventer.\n\n"
        "Les idées recueillies lors des quatre rencontres de l’automne 2026 ont "
        "été reprises ici et réparties en **quatre groupes de travail**. Dans "
        "chacun, on distingue les *acquis à développer* et les *nouveaux enjeux*.\n\n"
        "Pour participer : proposez une contribution, commentez celles des autres "
        "et soutenez celles qui vous semblent prioritaires (le nombre de soutiens "
        "est limité dans chaque groupe). La restitution sera présentée au comité "
        "métropolitain de l’ESS au printemps 2027."
    ),
    "status": "open",
}

KIND_LABELS = {"acquis": "Acquis à développer", "enjeu": "Nouveaux enjeux"}

MEETINGS = [
    {
        "title": "Rencontre de lancement du plan ESS 2027-2032",
        "kind": "rencontre",
        "date": date(2026, 9, 24),
        "place": "Halle aux Grains, Port-Auranne",
        "attendance": 41,
        "notes": (
            "Bilan du plan 2021-2026 et présentation du calendrier. Tour de table "
            "en petits groupes : **ce qui a marché, ce qui manque**. Six axes se "
            "dégagent, regroupés ensuite en quatre groupes de travail."
        ),
    },
    {
        "title": "Atelier « Entreprendre, coopérer, acheter »",
        "kind": "atelier",
        "date": date(2026, 10, 15),
        "place": "Tiers-lieu La Fabrique du Quai, Port-Auranne",
        "attendance": 27,
        "notes": (
            "Post-its puis priorisation à la gommette sur la création d’activités, "
            "la mutualisation et la commande publique. Beaucoup d’échanges sur les "
            "locaux et sur la taille des marchés publics."
        ),
    },
    {
        "title": "Atelier « L’ESS dans nos communes et nos quartiers »",
        "kind": "atelier",
        "date": date(2026, 11, 19),
        "place": "Centre social Les Tilleuls, quartier des Hauts-de-Vaux",
        "attendance": 23,
        "notes": (
            "Atelier décentralisé avec des élus et techniciens de six communes. "
            "Insistance sur l’ingénierie pour les petites communes et sur une "
            "présence régulière dans les quartiers prioritaires."
        ),
    },
    {
        "title": "Comité métropolitain de l’ESS",
        "kind": "comite",
        "date": date(2026, 12, 10),
        "place": "Hôtel de métropole, salle du conseil",
        "attendance": 34,
        "notes": (
            "Validation des quatre groupes de travail et ouverture de la "
            "consultation en ligne. Le groupe « Sensibiliser, former, évaluer » "
            "ne reçoit plus de contributions : ses propositions restent ouvertes "
            "au vote."
        ),
    },
    # The steps still to come, known by their season only: the restitution lists them « À venir ».
    {
        "title": "Présentation du plan au comité métropolitain",
        "kind": "comite",
        "date": None,
        "when": "printemps 2027",
        "place": "",
        "attendance": None,
        "notes": "",
    },
    {
        "title": "Délibération du plan ESS 2027-2032",
        "kind": "Conseil métropolitain",
        "date": None,
        "when": "septembre 2027",
        "place": "",
        "attendance": None,
        "notes": "",
    },
]

GROUPS = [
    {
        "key": "g1",
        "title": "Entreprendre et coopérer",
        "description": (
            "Accompagner la création et le développement d’activités de l’ESS, "
            "encourager la **coopération** et la **mutualisation** entre structures."
        ),
        "contributions_open": True,
        "voting_open": True,
        "vote_budget": 5,
    },
    {
        "key": "g2",
        "title": "Achats responsables, filières et alliances économiques",
        "description": (
            "Faire de la **commande publique** un levier pour l’ESS, structurer des "
            "filières locales et multiplier les coopérations avec les autres "
            "entreprises du territoire."
        ),
        "contributions_open": True,
        "voting_open": True,
        "vote_budget": 5,
    },
    {
        "key": "g3",
        "title": "L’ESS dans les communes et les quartiers",
        "description": (
            "Aider les communes de la métropole et les **quartiers prioritaires** à "
            "faire émerger et aboutir des projets de l’ESS, au plus près des habitants."
        ),
        "contributions_open": True,
        "voting_open": True,
        "vote_budget": 5,
    },
    {
        "key": "g4",
        "title": "Sensibiliser, former, évaluer",
        "description": (
            "Faire connaître l’ESS au grand public, aux élus et aux professionnels, "
            "développer la formation et la recherche, et **évaluer** le plan au fil "
            "de l’eau."
        ),
        "contributions_open": False,
        "voting_open": True,
        "vote_budget": 3,
    },
]

PARTICIPANTS = [
    {"key": "p01", "name": "Nadia B.", "organisation": "Coopérative d’activité et d’emploi Ouvrages Communs"},
    {"key": "p02", "name": "Julien M.", "organisation": "Métropole du Val d’Auranne, service développement économique"},
    {"key": "p03", "name": "Sandrine L.", "organisation": "Mission locale Auranne Nord"},
    {"key": "p04", "name": "Karim H.", "organisation": "SCIC Le Grenier Partagé"},
    {"key": "p05", "name": "Élodie F.", "organisation": "Ressourcerie La Boucle"},
    {"key": "p06", "name": "Thomas R.", "organisation": None},
    {"key": "p07", "name": "Fatou D.", "organisation": "Association Voisines d’ici"},
    {"key": "p08", "name": "Pierre-Yves G.", "organisation": "Mairie de Saint-Aubin-des-Prés"},
    {"key": "p09", "name": "Camille T.", "organisation": "Incubateur Germe Solidaire"},
    {"key": "p10", "name": "Mehdi A.", "organisation": "Régie de quartier des Hauts-de-Vaux"},
    {"key": "p11", "name": "Hélène P.", "organisation": "Université du Val d’Auranne, master ESS"},
    {"key": "p12", "name": "Baptiste C.", "organisation": "Coopérative Les Ateliers du Port"},
    {"key": "p13", "name": "Sophie V.", "organisation": "Réseau ESS Auranne"},
    {"key": "p14", "name": "Yannick L.", "organisation": "Entreprise d’insertion Trajectoires BTP"},
    {"key": "p15", "name": "Aïcha K.", "organisation": None},
    {"key": "p16", "name": "Lucie M.", "organisation": "Tiers-lieu La Fabrique du Quai"},
    {"key": "p17", "name": "Grégoire N.", "organisation": "Ville de Port-Auranne, direction de la commande publique"},
    {"key": "p18", "name": "Inès S.", "organisation": "Atelier vélo La Chambre à Air"},
    {"key": "p19", "name": "François D.", "organisation": "Fonds Auranne Initiatives Solidaires"},
    {"key": "p20", "name": "Manon J.", "organisation": "Collectif culturel Les Tréteaux Voyageurs"},
    {"key": "p21", "name": "Olivier B.", "organisation": "Imprimerie Lignes Claires"},
    {"key": "p22", "name": "Rachida M.", "organisation": "Centre social Les Tilleuls"},
    {"key": "p23", "name": "Antoine F.", "organisation": None},
    {"key": "p24", "name": "Chloé R.", "organisation": "Association Toits en Commun"},
    {"key": "p25", "name": "Samuel E.", "organisation": "Mairie de Vaux-la-Rivière"},
    {"key": "p26", "name": "Margaux H.", "organisation": "Association Les Jeunes Pousses"},
]

CONTRIBUTIONS = [
    # --- g1: Entreprendre et coopérer -------------------------------------
    {
        "key": "c01", "group": "g1", "kind": "acquis", "author": "p01",
        "title": "Garder l’appel à projets « Entreprendre en commun » et l’ouvrir à l’amorçage",
        "body": (
            "L’appel à projets a financé une quarantaine de projets depuis 2021. "
            "Il manque une **enveloppe pour l’amorçage** (moins de 10 000 €) avec un "
            "dossier allégé : aujourd’hui, les petits projets n’osent pas candidater."
        ),
    },
    {
        # Near-duplicate of c12 (same idea: affordable premises held collectively).
        "key": "c02", "group": "g1", "kind": "enjeu", "author": "p12",
        "title": "Créer une foncière solidaire pour sortir de la galère des locaux",
        "body": (
            "Trouver un local abordable est devenu **le premier frein** au "
            "développement des structures. Une foncière solidaire (Métropole, "
            "communes, banques, épargne citoyenne) pourrait acheter et porter des "
            "locaux, puis les louer à loyer modéré aux structures de l’ESS."
        ),
    },
    {
        "key": "c03", "group": "g1", "kind": "acquis", "author": "p09",
        "title": "L’incubateur ESS, avec une deuxième promotion par an",
        "body": (
            "Le programme d’incubation fonctionne bien : environ 80 % des structures "
            "sont encore en activité trois ans après. Mais on refuse chaque année "
            "deux fois plus de projets qu’on n’en accepte. Une seconde promotion au "
            "printemps éviterait de faire attendre un an."
        ),
    },
    {
        "key": "c04", "group": "g1", "kind": "enjeu", "author": "p04",
        "title": "Soutenir la mutualisation d’emplois entre petites structures",
        "body": (
            "Un groupement d’employeurs pour partager une comptable, un chargé de "
            "communication, une responsable RH… Les petites associations n’ont pas "
            "les moyens d’un temps plein. Un coup de pouce la première année suffirait "
            "à lancer la dynamique."
        ),
    },
    {
        "key": "c05", "group": "g1", "kind": "acquis", "author": "p19",
        "title": "Le fonds de prêts d’honneur solidaires a fait ses preuves",
        "body": (
            "Prêts à taux zéro de 5 000 à 25 000 € pour les structures de l’ESS, "
            "avec un vrai effet levier sur les banques. À **abonder** plutôt qu’à "
            "réinventer."
        ),
    },
    {
        "key": "c06", "group": "g1", "kind": "enjeu", "author": "p06",
        "title": "Anticiper la reprise d’entreprises par leurs salariés",
        "body": (
            "Beaucoup de dirigeants de PME partiront à la retraite d’ici cinq ans. "
            "La reprise en SCOP est une vraie piste, mais elle arrive toujours trop "
            "tard, quand l’entreprise est déjà en difficulté. Idée : un **repérage en "
            "amont** avec les chambres consulaires et les experts-comptables."
        ),
    },
    {
        "key": "c07", "group": "g1", "kind": "enjeu", "author": "p26",
        "title": "Un financement pluriannuel pour les coopératives jeunesse de services",
        "body": (
            "Cet été, quinze jeunes de 16 à 18 ans ont monté leur coopérative le "
            "temps des vacances. Belle expérience, mais sans financement sur "
            "plusieurs années, on repart de zéro chaque printemps."
        ),
    },
    {
        "key": "c08", "group": "g1", "kind": "acquis", "author": "p13",
        "title": "Les petits-déjeuners de la coopération",
        "body": (
            "Rencontres mensuelles d’une heure, sans ordre du jour imposé. Plusieurs "
            "groupements y sont nés (achat de fournitures, partage d’une comptable). "
            "Simple, pas cher : à maintenir."
        ),
    },
    {
        "key": "c09", "group": "g1", "kind": "acquis", "author": "p12",
        "title": "Les prises de participation de la Métropole au capital des SCIC",
        "body": (
            "La Métropole est entrée au capital de plusieurs SCIC depuis 2022, "
            "c’est un signal fort pour les banques. À poursuivre, avec une doctrine "
            "claire :\n\n"
            "- quel montant ?\n"
            "- pour quelle durée ?\n"
            "- quel rôle au conseil d’administration ?"
        ),
    },
    {
        "key": "c10", "group": "g1", "kind": "enjeu", "author": "p14",
        "title": "Accompagner le changement d’échelle, pas seulement la création",
        "body": (
            "Tout le monde accompagne la création, presque personne la croissance. "
            "Passer de 10 à 40 salariés, ouvrir un deuxième site, essaimer : c’est "
            "là qu’on se sent seuls. Il faudrait :\n\n"
            "- un diagnostic stratégique ;\n"
            "- une mise en relation avec des structures qui l’ont déjà fait ;\n"
            "- du financement en **quasi-fonds propres**."
        ),
    },
    {
        "key": "c11", "group": "g1", "kind": "acquis", "author": "p01",
        "title": "Les CAE comme porte d’entrée pour tester une activité",
        "body": (
            "Les coopératives d’activité et d’emploi permettent de tester son "
            "activité en restant salarié. Beaucoup d’entrepreneurs y arrivent par "
            "hasard : les conseillers création doivent mieux les connaître pour y "
            "orienter les gens."
        ),
    },
    {
        # Near-duplicate of c02 (same idea as the "foncière solidaire").
        "key": "c12", "group": "g1", "kind": "enjeu", "author": "p05",
        "title": "Des locaux partagés à loyer modéré, portés collectivement",
        "body": (
            "Que la Métropole et les communes mettent à disposition leurs bâtiments "
            "vacants, et qu’une structure collective (une SCIC ?) les gère pour les "
            "louer à prix coûtant à plusieurs associations et coopératives. Les "
            "loyers du privé sont hors de portée pour nous."
        ),
    },
    {
        "key": "c13", "group": "g1", "kind": "enjeu", "author": "p19",
        "title": "Un appui mutualisé pour aller chercher les fonds européens",
        "body": (
            "Les fonds européens existent, mais les dossiers sont trop lourds pour "
            "une association de cinq salariés. Une personne ressource à la "
            "Métropole, partagée entre les structures, changerait la donne."
        ),
    },
    {
        "key": "c14", "group": "g1", "kind": "acquis", "author": "p16",
        "title": "Les permanences d’accompagnement dans les tiers-lieux",
        "body": (
            "Plus accessibles que les bureaux de la Métropole, surtout pour les "
            "personnes qui ne se sentent pas « entrepreneurs »."
        ),
    },
    {
        "key": "c15", "group": "g1", "kind": "enjeu", "author": "p23",
        "title": "Un guichet unique pour les porteurs de projets de l’ESS",
        "body": (
            "Entre l’incubateur, la CAE, le fonds de prêts, le réseau, les "
            "permanences… je me suis perdu. Une seule porte d’entrée, quitte à "
            "réorienter ensuite."
        ),
    },
    {
        "key": "c16", "group": "g1", "kind": "enjeu", "author": "p10",
        "title": "Financer des communs numériques partagés entre structures",
        "body": (
            "Gestion des adhérents, plannings de bénévoles, logiciels de caisse : "
            "chacun paie sa licence dans son coin. Proposition : financer des "
            "**outils libres partagés** et surtout leur maintenance. Une première "
            "liste de besoins est en discussion sur https://forum.ess-auranne.fr."
        ),
    },
    # --- g2: Achats responsables, filières et alliances économiques -------
    {
        "key": "c17", "group": "g2", "kind": "acquis", "author": "p17",
        "title": "Les clauses d’insertion dans les marchés de la Métropole",
        "body": (
            "Plus de 300 000 heures d’insertion réalisées pendant le précédent plan "
            "grâce aux clauses. Le poste de facilitateur est indispensable : à "
            "conserver et à étendre aux communes qui n’en ont pas."
        ),
    },
    {
        # Near-duplicate of c27 (split public contracts into smaller lots).
        "key": "c18", "group": "g2", "kind": "enjeu", "author": "p14",
        "title": "Allotir les marchés publics pour que les petites structures puissent répondre",
        "body": (
            "Les marchés globaux (nettoyage, espaces verts, restauration) sont "
            "inaccessibles à une entreprise d’insertion de vingt salariés. Découper "
            "en lots plus petits, par secteur géographique ou par type de "
            "prestation, ouvrirait la porte à de nombreux acteurs locaux."
        ),
    },
    {
        "key": "c19", "group": "g2", "kind": "acquis", "author": "p05",
        "title": "La filière réemploi autour des ressourceries",
        "body": (
            "Les quatre ressourceries du territoire collectent, réparent et "
            "revendent. Le partenariat avec le service déchets marche bien. "
            "Prochaine étape : des **caissons réemploi** dans toutes les déchèteries."
        ),
    },
    {
        "key": "c20", "group": "g2", "kind": "enjeu", "author": "p17",
        "title": "Former les acheteurs publics aux marchés réservés",
        "body": (
            "Les marchés réservés aux structures d’insertion et aux entreprises "
            "adaptées sont prévus par le code de la commande publique, mais très "
            "peu utilisés, souvent par méconnaissance. Une formation courte et un "
            "**guide pratique** pour les acheteurs des communes suffiraient à "
            "débloquer beaucoup de choses."
        ),
    },
    {
        "key": "c21", "group": "g2", "kind": "acquis", "author": "p04",
        "title": "Les légumeries solidaires qui fournissent les cantines",
        "body": (
            "La légumerie en chantier d’insertion livre déjà plusieurs cantines "
            "scolaires. Les communes sont satisfaites ; reste à sécuriser des "
            "volumes sur plusieurs années pour pouvoir embaucher."
        ),
    },
    {
        "key": "c22", "group": "g2", "kind": "enjeu", "author": "p01",
        "title": "Étudier une monnaie locale complémentaire",
        "body": (
            "Idée revenue plusieurs fois à la rencontre de lancement : faire circuler "
            "l’argent entre commerces indépendants et structures de l’ESS. On "
            "pourrait commencer par une étude de faisabilité."
        ),
    },
    {
        "key": "c23", "group": "g2", "kind": "enjeu", "author": "p21",
        "title": "Faire travailler ESS et PME ensemble sur des besoins précis, pas en colloque",
        "body": (
            "Les PME n’ont pas le temps pour des soirées de réseautage. Ce qui "
            "marche : un besoin précis (sous-traitance, recrutement, locaux) et une "
            "mise en relation ciblée. Il faut un **animateur dédié** qui connaisse "
            "les deux mondes."
        ),
    },
    {
        "key": "c24", "group": "g2", "kind": "acquis", "author": "p13",
        "title": "Le salon « Achetez solidaire », tous les ans plutôt que tous les deux ans",
        "body": (
            "Format rendez-vous d’affaires entre acheteurs publics ou privés et "
            "structures de l’ESS. L’édition 2025 a débouché sur une vingtaine de "
            "contrats."
        ),
    },
    {
        "key": "c25", "group": "g2", "kind": "enjeu", "author": "p05",
        "title": "Structurer une filière textile de seconde main",
        "body": (
            "Les volumes de textile collectés explosent et les débouchés manquent. "
            "Il faudrait un atelier de tri et de transformation mutualisé entre "
            "ressourceries, avec des débouchés auprès des créateurs locaux."
        ),
    },
    {
        "key": "c26", "group": "g2", "kind": "acquis", "author": "p21",
        "title": "Les clubs d’entreprises ouverts aux structures d’insertion",
        "body": (
            "Notre club de la zone d’activités accueille maintenant deux structures "
            "d’insertion. On se prête du matériel, on se passe des chantiers. Ça "
            "prend du temps, mais ça marche."
        ),
    },
    {
        # Near-duplicate of c18 (split public contracts into smaller lots).
        "key": "c27", "group": "g2", "kind": "enjeu", "author": "p12",
        "title": "Des lots plus petits dans les appels d’offres",
        "body": (
            "Nous avons renoncé à trois appels d’offres cette année : les volumes "
            "étaient trop gros pour nous. Avec des lots de taille raisonnable, on "
            "pourrait candidater seuls ou à deux."
        ),
    },
    {
        "key": "c28", "group": "g2", "kind": "enjeu", "author": "p25",
        "title": "Aider les communes à rédiger des clauses sociales dans leurs propres marchés",
        "body": (
            "Notre commune de 6 000 habitants n’a pas de juriste. Une assistance "
            "technique mutualisée par la Métropole serait très utile."
        ),
    },
    {
        "key": "c29", "group": "g2", "kind": "acquis", "author": "p18",
        "title": "Le plan vélo, qui a associé les ateliers solidaires dès le départ",
        "body": (
            "Les ateliers d’autoréparation ont participé au plan vélo métropolitain "
            "(marquage, bourses aux vélos). Un bon exemple de politique sectorielle "
            "qui intègre l’ESS en amont."
        ),
    },
    {
        "key": "c30", "group": "g2", "kind": "enjeu", "author": "p04",
        "title": "Une plateforme logistique partagée pour les circuits courts",
        "body": (
            "Chaque producteur et chaque épicerie solidaire fait ses propres "
            "livraisons, souvent avec des camions à moitié vides. Un entrepôt et des "
            "véhicules partagés réduiraient les coûts comme les émissions."
        ),
    },
    {
        "key": "c31", "group": "g2", "kind": "acquis", "author": "p02",
        "title": "Le schéma de promotion des achats responsables",
        "body": (
            "Adopté en 2023, il fixe des objectifs chiffrés (**15 % des marchés** "
            "avec une clause sociale). Il existe ; il faut maintenant le faire vivre "
            "et publier son bilan chaque année."
        ),
    },
    {
        "key": "c32", "group": "g2", "kind": "enjeu", "author": "p24",
        "title": "Relier le plan ESS et la politique de l’habitat",
        "body": (
            "L’habitat participatif, les coopératives d’habitants et le bail réel "
            "solidaire devraient figurer dans le plan ESS **et** dans le programme "
            "local de l’habitat. Aujourd’hui, les deux politiques s’ignorent."
        ),
    },
    # --- g3: L'ESS dans les communes et les quartiers -----------------------
    {
        "key": "c33", "group": "g3", "kind": "acquis", "author": "p08",
        "title": "Les rencontres trimestrielles des référents ESS des communes",
        "body": (
            "Ces réunions permettent aux techniciens des communes d’échanger entre "
            "eux et avec la Métropole. À garder, en les organisant à tour de rôle "
            "dans chaque commune."
        ),
    },
    {
        "key": "c34", "group": "g3", "kind": "enjeu", "author": "p08",
        "title": "Une ingénierie de projet adaptée aux petites communes",
        "body": (
            "Les petites communes n’ont ni le temps ni les compétences pour monter "
            "un projet de l’ESS. Une personne chargée de mission à la Métropole, qui "
            "vienne sur place aider au diagnostic et à la recherche de porteurs, "
            "serait précieuse."
        ),
    },
    {
        "key": "c35", "group": "g3", "kind": "acquis", "author": "p10",
        "title": "Les régies de quartier, des acteurs de proximité reconnus",
        "body": (
            "Entretien des parties communes, petits travaux, lien social : les "
            "régies emploient des habitants du quartier et tout le monde les "
            "connaît. Leur financement reste fragile d’une année sur l’autre."
        ),
    },
    {
        "key": "c36", "group": "g3", "kind": "enjeu", "author": "p07",
        "title": "Être présents dans les quartiers prioritaires, pas seulement pour eux",
        "body": (
            "Trop souvent, les projets sont pensés ailleurs puis « déployés » dans "
            "les quartiers. Il faut des permanences régulières sur place et associer "
            "les habitantes dès le départ.\n\n"
            "Les femmes du quartier ont plein d’idées d’activités (couture, "
            "restauration, garde d’enfants) et **personne pour les accompagner**."
        ),
    },
    {
        "key": "c37", "group": "g3", "kind": "enjeu", "author": "p15",
        "title": "Un lieu pour tester son activité dans le quartier",
        "body": (
            "Une boutique ou une cuisine partagée où l’on peut essayer pendant "
            "quelques mois sans prendre de risque. Moi, je fais des gâteaux pour les "
            "fêtes du quartier et j’aimerais savoir si je peux en vivre."
        ),
    },
    {
        "key": "c38", "group": "g3", "kind": "acquis", "author": "p22",
        "title": "Les cafés-réparation itinérants",
        "body": (
            "Un samedi par mois, dans un quartier différent. On répare, on discute, "
            "et on repère des personnes qui ont des savoir-faire et des envies de "
            "projet."
        ),
    },
    {
        "key": "c39", "group": "g3", "kind": "acquis", "author": "p03",
        "title": "L’accompagnement des jeunes vers l’entrepreneuriat collectif",
        "body": (
            "Depuis deux ans, la mission locale oriente des jeunes vers des parcours "
            "en coopérative. Sur 30 jeunes accompagnés, 11 ont aujourd’hui une "
            "activité ou suivent une formation qualifiante."
        ),
    },
    {
        "key": "c40", "group": "g3", "kind": "enjeu", "author": "p20",
        "title": "Reconnaître la culture comme une activité de l’ESS à part entière",
        "body": (
            "Les compagnies et les lieux culturels associatifs créent de l’emploi et "
            "du lien dans les communes, mais ils n’entrent dans aucun dispositif ESS. "
            "Ouvrons l’appel à projets aux projets culturels."
        ),
    },
    {
        "key": "c41", "group": "g3", "kind": "acquis", "author": "p07",
        "title": "Les épiceries solidaires, lieux de lien autant que d’aide alimentaire",
        "body": (
            "On s’y retrouve, on s’y engage comme bénévole. Trois épiceries ont "
            "ouvert depuis 2022 ; il en manque encore dans les communes de l’est."
        ),
    },
    {
        "key": "c42", "group": "g3", "kind": "enjeu", "author": "p24",
        "title": "Financer l’essaimage des projets qui marchent d’une commune à l’autre",
        "body": (
            "Quand une épicerie solidaire ou un café-réparation fonctionne quelque "
            "part, d’autres communes veulent le même. Finançons l’**essaimage** "
            "(temps de transmission, documentation, accompagnement) au lieu de "
            "repartir de zéro."
        ),
    },
    {
        "key": "c43", "group": "g3", "kind": "enjeu", "author": "p18",
        "title": "Ne pas oublier les habitants sans voiture",
        "body": (
            "Dans les communes périurbaines, beaucoup de lieux de l’ESS sont "
            "inaccessibles sans voiture. Vélos-cargos partagés, transport "
            "solidaire : la mobilité doit faire partie du plan."
        ),
    },
    {
        "key": "c44", "group": "g3", "kind": "acquis", "author": "p25",
        "title": "L’appel à projets « Territoires solidaires », avec un autre calendrier",
        "body": (
            "Il a financé des projets dans des communes qui n’en avaient jamais eu. "
            "Seul bémol : un dépôt en janvier ne colle pas au rythme des conseils "
            "municipaux."
        ),
    },
    {
        "key": "c45", "group": "g3", "kind": "enjeu", "author": "p03",
        "title": "Montrer aux jeunes que l’ESS, ce sont aussi de vrais emplois",
        "body": (
            "Pour beaucoup de jeunes que nous suivons, l’ESS, c’est « les assos », "
            "donc du bénévolat. Des témoignages de jeunes salariés de coopératives "
            "parleraient plus que des plaquettes."
        ),
    },
    {
        "key": "c46", "group": "g3", "kind": "acquis", "author": "p16",
        "title": "Le réseau des tiers-lieux, à consolider",
        "body": (
            "Sept tiers-lieux maillent le territoire, dont deux en zone rurale. Ils "
            "accueillent permanences, ateliers et marchés."
        ),
    },
    {
        "key": "c47", "group": "g3", "kind": "enjeu", "author": "p22",
        "title": "Un appel à manifestation d’intérêt plutôt qu’un appel à projets",
        "body": (
            "Un AMI permettrait aux communes et aux collectifs d’habitants de faire "
            "remonter une idée encore floue, puis d’être accompagnés pour en faire "
            "un projet. L’appel à projets actuel sélectionne surtout ceux qui savent "
            "déjà écrire des dossiers."
        ),
    },
    # --- g4: Sensibiliser, former, évaluer ------------------------------------
    {
        "key": "c48", "group": "g4", "kind": "acquis", "author": "p13",
        "title": "Le Mois de l’ESS en novembre",
        "body": (
            "Une trentaine d’événements chaque année. Le programme commun "
            "fonctionne, mais la communication reste confidentielle, surtout hors "
            "de la ville-centre."
        ),
    },
    {
        # Near-duplicate of c58 (ESS training for elected officials and staff).
        "key": "c49", "group": "g4", "kind": "enjeu", "author": "p08",
        "title": "Former les nouveaux élus et les agents municipaux à l’ESS",
        "body": (
            "Depuis les municipales de 2026, beaucoup d’élus découvrent l’ESS. "
            "Proposons un **module court** (une demi-journée) aux élus et aux agents "
            "concernés : développement économique, achats, politique de la ville."
        ),
    },
    {
        "key": "c50", "group": "g4", "kind": "acquis", "author": "p11",
        "title": "Les projets tutorés du master ESS avec les structures",
        "body": (
            "Chaque année, une quinzaine de structures confient des missions "
            "concrètes aux étudiants (étude de marché, mesure d’impact). À "
            "maintenir et à élargir à d’autres formations : gestion, urbanisme, "
            "informatique."
        ),
    },
    {
        "key": "c51", "group": "g4", "kind": "enjeu", "author": "p11",
        "title": "Des Assises métropolitaines de l’ESS à mi-parcours du plan",
        "body": (
            "Un temps fort en 2029 pour faire le point avec les structures, les "
            "communes et les habitants. Plus qu’un colloque : des ateliers ouverts "
            "et une vraie restitution."
        ),
    },
    {
        "key": "c52", "group": "g4", "kind": "acquis", "author": "p02",
        "title": "L’observatoire de l’ESS et sa note annuelle",
        "body": (
            "Chiffres clés sur l’emploi, les établissements, les secteurs : "
            "indispensable pour défendre l’ESS auprès des élus. À compléter par des "
            "données à l’échelle de chaque commune."
        ),
    },
    {
        "key": "c53", "group": "g4", "kind": "enjeu", "author": "p13",
        "title": "Évaluer le plan avec les acteurs, pas seulement pour eux",
        "body": (
            "Un comité de suivi mixte (élus, techniciens, structures, habitants) "
            "réuni deux fois par an, avec des indicateurs définis ensemble dès 2027. "
            "Et des résultats publiés en ligne, par exemple sur "
            "https://www.val-auranne.fr/ess."
        ),
    },
    {
        "key": "c54", "group": "g4", "kind": "acquis", "author": "p20",
        "title": "Les balades « Itinéraires solidaires »",
        "body": (
            "Visites de structures ouvertes à tous. Les participants en redemandent ; "
            "on pourrait en proposer une version pour les nouveaux élus."
        ),
    },
    {
        "key": "c55", "group": "g4", "kind": "enjeu", "author": "p23",
        "title": "Faire connaître l’ESS au grand public",
        "body": (
            "La plupart des gens ignorent ce que veut dire « ESS », même quand ils "
            "font leurs courses dans une coopérative. Une campagne simple, avec des "
            "visages et des lieux du territoire."
        ),
    },
    {
        "key": "c56", "group": "g4", "kind": "acquis", "author": "p26",
        "title": "Les mini-coopératives d’élèves au collège et au lycée",
        "body": (
            "Des élèves montent une coopérative sur une année scolaire. Les "
            "enseignants sont demandeurs, mais nous ne pouvons pas répondre à toutes "
            "les demandes."
        ),
    },
    {
        "key": "c57", "group": "g4", "kind": "enjeu", "author": "p06",
        "title": "Rapprocher chercheurs et structures de l’ESS",
        "body": (
            "Les structures ont des questions (impact, modèle économique), les "
            "chercheurs cherchent des terrains. Une **chaire** ou un programme de "
            "recherche-action cofinancé par la Métropole ferait le lien."
        ),
    },
    {
        # Near-duplicate of c49 (ESS training for elected officials and staff).
        "key": "c58", "group": "g4", "kind": "enjeu", "author": "p25",
        "title": "Une formation à l’ESS pour les élus et les techniciens des communes",
        "body": (
            "Inscrire l’ESS au plan de formation de la Métropole et des communes, "
            "au même titre que les marchés publics. Les élus nouvellement installés "
            "et les agents des services économiques sont les premiers concernés."
        ),
    },
    {
        "key": "c59", "group": "g4", "kind": "acquis", "author": "p19",
        "title": "La journée de formation des conseillers création à l’ESS",
        "body": (
            "Depuis cette journée, les réseaux d’accompagnement classiques nous "
            "orientent davantage de porteurs de projet. À renouveler chaque année : "
            "les équipes changent vite."
        ),
    },
    {
        "key": "c60", "group": "g4", "kind": "enjeu", "author": "p09",
        "title": "Former les dirigeants bénévoles devenus employeurs",
        "body": (
            "Beaucoup de présidents et de trésoriers d’associations se retrouvent "
            "employeurs sans y être préparés. Des modules courts, le soir ou le "
            "samedi :\n\n"
            "- droit du travail ;\n"
            "- budget et trésorerie ;\n"
            "- gouvernance."
        ),
    },
    {
        "key": "c61", "group": "g4", "kind": "acquis", "author": "p22",
        "title": "Le référentiel d’utilité sociale construit avec les structures",
        "body": (
            "Élaboré avec une douzaine de structures, c’est un bon outil. Il "
            "faudrait le diffuser plus largement et former à son utilisation."
        ),
    },
    {
        "key": "c62", "group": "g4", "kind": "enjeu", "author": "p15",
        "title": "Parler de l’ESS là où vont déjà les habitants",
        "body": (
            "Marchés, sorties d’école, centres sociaux. Pas besoin de grands "
            "événements : il faut venir là où les gens sont."
        ),
    },
]

# Supporters per contribution. Within a group, nobody exceeds the group's
# vote_budget, and nobody supports their own contribution.
VOTES = {
    "c01": ["p06", "p11", "p14", "p15", "p18", "p20", "p22", "p23", "p26"],
    "c02": ["p05", "p06", "p08", "p09", "p11", "p13", "p14", "p15", "p18", "p20", "p21", "p23"],
    "c03": ["p01", "p04", "p12", "p18"],
    "c04": ["p03", "p08", "p09", "p12", "p16", "p23"],
    "c05": ["p10", "p12", "p20"],
    "c06": ["p08", "p10", "p11", "p13", "p24"],
    "c07": ["p13", "p25"],
    "c08": [],
    "c09": ["p24", "p26"],
    "c10": ["p05", "p06", "p08", "p09", "p11", "p15", "p21", "p23"],
    "c11": ["p14", "p20", "p22"],
    "c12": ["p10", "p12", "p14", "p19", "p20", "p24", "p26"],
    "c13": ["p01", "p03", "p21", "p22"],
    "c14": ["p18"],
    "c15": ["p01", "p06", "p08", "p10", "p11", "p13", "p15", "p18", "p19", "p25", "p26"],
    "c16": ["p05", "p06", "p15", "p22", "p24"],
    "c17": ["p07", "p08", "p09", "p11", "p15", "p18", "p21", "p22", "p24", "p26"],
    "c18": ["p06", "p07", "p08", "p09", "p11", "p13", "p17", "p18", "p21", "p23", "p24", "p25", "p26"],
    "c19": ["p02", "p03", "p08", "p11", "p14", "p23"],
    "c20": ["p03", "p07", "p13", "p16", "p22"],
    "c21": ["p06", "p13", "p15", "p17", "p20", "p21", "p23"],
    "c22": ["p12", "p17", "p18"],
    "c23": ["p02", "p10", "p14", "p18"],
    "c24": ["p14", "p19"],
    "c25": ["p06", "p10", "p11", "p17", "p26"],
    "c26": ["p03"],
    "c27": ["p01", "p06", "p07", "p14", "p19", "p20"],
    "c28": ["p02", "p11", "p13", "p26"],
    "c29": [],
    "c30": ["p02", "p15", "p19", "p21", "p22", "p23"],
    "c31": ["p04", "p12"],
    "c32": ["p08", "p09", "p20", "p23"],
    "c33": ["p04", "p13"],
    "c34": ["p01", "p02", "p04", "p10", "p11", "p13", "p14", "p17", "p18", "p19", "p21", "p23", "p25", "p26"],
    "c35": ["p14", "p22", "p23", "p25", "p26"],
    "c36": ["p02", "p05", "p10", "p13", "p14", "p16", "p17", "p19", "p21", "p22"],
    "c37": ["p02", "p11", "p12", "p18", "p20", "p21"],
    "c38": ["p03", "p06", "p10"],
    "c39": ["p01", "p02", "p06", "p08"],
    "c40": ["p08", "p09", "p10", "p21", "p22"],
    "c41": ["p11", "p18", "p21", "p23"],
    "c42": ["p03", "p06", "p07", "p14", "p17", "p20", "p25"],
    "c43": ["p11", "p13", "p16"],
    "c44": ["p22"],
    "c45": ["p14", "p19"],
    "c46": [],
    "c47": ["p04", "p06", "p08", "p10", "p11", "p18", "p19", "p20", "p23"],
    "c48": ["p11", "p20", "p23"],
    "c49": ["p06", "p10", "p11", "p13", "p14", "p15", "p18", "p19", "p21", "p25", "p26"],
    "c50": ["p02", "p13", "p14", "p16"],
    "c51": ["p03", "p15"],
    "c52": ["p06", "p08", "p16", "p18", "p22"],
    "c53": ["p01", "p04", "p07", "p08", "p09", "p11", "p14", "p19", "p25"],
    "c54": ["p04"],
    "c55": ["p18", "p24", "p26"],
    "c56": ["p03", "p06", "p12", "p17", "p22", "p24"],
    "c57": ["p10", "p20"],
    "c58": ["p09", "p12", "p16", "p23"],
    "c59": [],
    "c60": ["p10", "p13", "p17", "p22", "p26"],
    "c61": ["p20"],
    "c62": ["p02", "p17"],
}

COMMENTS = [
    # c02 / c12: the near-duplicate pair about premises.
    {
        "key": "k01", "contribution": "c02", "author": "p02", "parent": None,
        "body": (
            "Une étude sur l’immobilier d’activité est en cours à la Métropole : "
            "on peut y intégrer la piste d’une foncière solidaire. Résultats "
            "attendus au printemps 2027."
        ),
    },
    {
        "key": "k02", "contribution": "c02", "author": "p19", "parent": "k01",
        "body": (
            "Attention à ne pas attendre l’étude pour avancer : des montages avec "
            "de l’épargne citoyenne existent ailleurs. Nous pouvons partager des "
            "contacts."
        ),
    },
    {
        "key": "k03", "contribution": "c02", "author": "p02", "parent": "k02",
        "body": "D’accord. Proposons une séance de travail dès janvier avec les structures intéressées.",
    },
    {
        "key": "k04", "contribution": "c02", "author": "p05", "parent": None,
        "body": (
            "Très proche de ma proposition « Des locaux partagés à loyer modéré » : "
            "on pourrait regrouper les deux ?"
        ),
    },
    {
        "key": "k05", "contribution": "c12", "author": "p12", "parent": None,
        "body": (
            "C’est la même préoccupation que ma proposition de foncière solidaire, "
            "qui insiste davantage sur le portage en capital. L’objectif est identique."
        ),
    },
    {
        "key": "k06", "contribution": "c10", "author": "p09", "parent": None,
        "body": (
            "À l’incubateur, on le voit aussi : après deux ou trois ans, les "
            "structures n’ont plus d’interlocuteur. Une **deuxième marche** "
            "d’accompagnement serait bienvenue."
        ),
    },
    {
        "key": "k07", "contribution": "c10", "author": "p14", "parent": "k06",
        "body": "Exactement. Et les quasi-fonds propres restent le nerf de la guerre.",
    },
    {
        "key": "k08", "contribution": "c15", "author": "p13", "parent": None,
        "body": (
            "Le réseau peut jouer ce rôle de porte d’entrée, à condition d’en avoir "
            "les moyens humains. Aujourd’hui, on répond au téléphone entre deux "
            "réunions…"
        ),
    },
    {
        "key": "k09", "contribution": "c15", "author": "p23", "parent": "k08",
        "body": "Pourquoi pas, mais il faut que ce soit visible : une adresse, un numéro, un site.",
    },
    {
        "key": "k10", "contribution": "c15", "author": "p16", "parent": "k09",
        "body": "Les tiers-lieux peuvent relayer ce guichet sur le terrain, avec une permanence par mois.",
    },
    {
        "key": "k11", "contribution": "c06", "author": "p01", "parent": None,
        "body": (
            "La CAE accompagne déjà deux projets de reprise. Le problème, c’est le "
            "délai : il faudrait être informé **deux ans avant** le départ du "
            "dirigeant."
        ),
    },
    {
        "key": "k12", "contribution": "c16", "author": "p21", "parent": None,
        "body": "Intéressant, mais qui assure la maintenance dans cinq ans ? C’est souvent là que ça coince.",
    },
    {
        "key": "k13", "contribution": "c16", "author": "p10", "parent": "k12",
        "body": (
            "Justement, l’idée est de financer la maintenance et pas seulement le "
            "développement : une petite équipe mutualisée, pas un prestataire "
            "différent à chaque fois."
        ),
    },
    # c18 / c27: the near-duplicate pair about splitting contracts into lots.
    {
        "key": "k14", "contribution": "c18", "author": "p17", "parent": None,
        "body": (
            "Côté achats, on allotit déjà plus qu’avant, mais les services "
            "techniques préfèrent un seul titulaire pour simplifier le suivi. "
            "C’est un arbitrage à faire remonter aux élus."
        ),
    },
    {
        "key": "k15", "contribution": "c18", "author": "p14", "parent": "k14",
        "body": (
            "On comprend la contrainte. Un groupement momentané d’entreprises peut "
            "aussi offrir un interlocuteur unique."
        ),
    },
    {
        "key": "k16", "contribution": "c18", "author": "p17", "parent": "k15",
        "body": "Bonne piste, à condition que les structures soient accompagnées pour monter ces groupements.",
    },
    {
        "key": "k17", "contribution": "c27", "author": "p14", "parent": None,
        "body": (
            "C’est la même demande que ma proposition sur l’allotissement des "
            "marchés : regroupons-les pour peser davantage au moment du vote."
        ),
    },
    {
        "key": "k18", "contribution": "c22", "author": "p21", "parent": None,
        "body": (
            "Pour un commerçant, tout dépend de la simplicité. Une application sur "
            "le téléphone, pourquoi pas ; des billets en plus dans la caisse, non."
        ),
    },
    {
        "key": "k19", "contribution": "c22", "author": "p06", "parent": "k18",
        "body": "Plusieurs monnaies locales fonctionnent désormais en numérique : à regarder dans l’étude.",
    },
    {
        "key": "k20", "contribution": "c22", "author": "p02", "parent": None,
        "body": "Une étude de faisabilité pourrait être financée en 2027 si la proposition fait partie des priorités.",
    },
    {
        "key": "k21", "contribution": "c25", "author": "p20", "parent": None,
        "body": "Les costumières de notre collectif seraient partantes pour des ateliers d’upcycling !",
    },
    {
        "key": "k22", "contribution": "c30", "author": "p18", "parent": None,
        "body": (
            "Et pour le dernier kilomètre, pensez aux vélos-cargos : des "
            "coopératives de livraison à vélo existent déjà sur le territoire."
        ),
    },
    {
        "key": "k23", "contribution": "c23", "author": "p13", "parent": None,
        "body": (
            "Le salon « Achetez solidaire » va dans ce sens, mais une fois par an ne "
            "suffit pas. Un animateur permanent, oui."
        ),
    },
    {
        "key": "k24", "contribution": "c34", "author": "p25", "parent": None,
        "body": (
            "Complètement d’accord. Chez nous, le « service économique », c’est moi, "
            "à mi-temps, en plus de l’urbanisme."
        ),
    },
    {
        "key": "k25", "contribution": "c34", "author": "p02", "parent": "k24",
        "body": "Un poste mutualisé est à l’étude pour le nouveau plan. Combien de communes seraient intéressées ?",
    },
    {
        "key": "k26", "contribution": "c34", "author": "p08", "parent": "k25",
        "body": "Au moins les six communes présentes à l’atelier de novembre, je pense.",
    },
    {
        "key": "k27", "contribution": "c36", "author": "p10", "parent": None,
        "body": "Oui. Et venir aux horaires des habitants : le soir, le samedi, pas le mardi à 14 h.",
    },
    {
        "key": "k28", "contribution": "c36", "author": "p22", "parent": "k27",
        "body": "Le centre social peut accueillir des permanences en soirée, on en parle quand vous voulez.",
    },
    {
        "key": "k29", "contribution": "c36", "author": "p15", "parent": None,
        "body": (
            "Beaucoup de femmes du quartier cuisinent très bien mais n’osent pas se "
            "lancer. Un accompagnement **en groupe** les rassurerait."
        ),
    },
    {
        "key": "k30", "contribution": "c37", "author": "p04", "parent": None,
        "body": (
            "Notre SCIC a une cuisine professionnelle libre le week-end. On pourrait "
            "la prêter pour des tests, à discuter !"
        ),
    },
    {
        "key": "k31", "contribution": "c37", "author": "p15", "parent": "k30",
        "body": "Merci, ça m’intéresse beaucoup !",
    },
    {
        "key": "k32", "contribution": "c37", "author": "p01", "parent": "k31",
        "body": (
            "Et la CAE peut vous aider pour le statut : venez à une réunion "
            "d’information, la prochaine a lieu le premier jeudi du mois."
        ),
    },
    {
        "key": "k33", "contribution": "c40", "author": "p16", "parent": None,
        "body": "Les tiers-lieux accueillent beaucoup de projets culturels : on confirme le besoin.",
    },
    {
        "key": "k34", "contribution": "c44", "author": "p08", "parent": None,
        "body": "Le calendrier, oui ! Un dépôt en avril laisserait le temps de passer en conseil municipal.",
    },
    {
        "key": "k35", "contribution": "c47", "author": "p03", "parent": None,
        "body": "Très bonne idée pour les jeunes aussi : ils ont des envies, pas des dossiers.",
    },
    # c49 / c58: the near-duplicate pair about training elected officials.
    {
        "key": "k36", "contribution": "c49", "author": "p25", "parent": None,
        "body": (
            "J’ai fait la même proposition en d’autres termes (une formation pour "
            "les élus et les techniciens). Les deux pourraient être regroupées."
        ),
    },
    {
        "key": "k37", "contribution": "c49", "author": "p11", "parent": None,
        "body": (
            "L’université peut co-construire le contenu du module : nous avons déjà "
            "des formats courts en formation continue."
        ),
    },
    {
        "key": "k38", "contribution": "c49", "author": "p08", "parent": "k37",
        "body": "Parfait, à condition que ce soit très concret : des visites, des témoignages, pas que de la théorie.",
    },
    {
        "key": "k39", "contribution": "c53", "author": "p02", "parent": None,
        "body": (
            "Le comité de suivi est prévu dans le projet de délibération. Sa "
            "composition reste à définir : vos propositions sont bienvenues."
        ),
    },
    {
        "key": "k40", "contribution": "c53", "author": "p13", "parent": "k39",
        "body": "Nous proposons qu’au moins un tiers des sièges revienne aux structures et aux habitants.",
    },
    {
        "key": "k41", "contribution": "c56", "author": "p11", "parent": None,
        "body": "Nos étudiants de master pourraient co-animer certaines séances, ce serait formateur pour eux aussi.",
    },
    {
        "key": "k42", "contribution": "c55", "author": "p20", "parent": None,
        "body": "Pourquoi pas des portraits vidéo courts, tournés avec les structures ? Nous avons le matériel.",
    },
]


if __name__ == "__main__":
    # Self-check: internal consistency of the demo data.
    def Counter(items=()):
        # Minimal stand-in for collections.Counter (keeps the module import-free).
        counts = _Counts()
        for item in items:
            counts[item] += 1
        return counts

    class _Counts(dict):
        def __missing__(self, key):
            return 0

    def _unique(keys, what):
        dupes = [k for k, n in Counter(keys).items() if n > 1]
        assert not dupes, f"duplicate {what} keys: {dupes}"

    def _text(value, limit, where):
        assert isinstance(value, str) and value.strip(), f"empty text in {where}"
        assert len(value) <= limit, f"text too long in {where} ({len(value)} > {limit})"

    _text(CONSULTATION["title"], 140, "consultation title")
    _text(CONSULTATION["summary"], 5000, "consultation summary")
    assert CONSULTATION["slug"] == "ess-2027" and CONSULTATION["status"] == "open"
    assert set(KIND_LABELS) == {"acquis", "enjeu"}

    # Meetings: four, chronological, Sept-Dec 2026, plausible attendance.
    assert len(MEETINGS) == 4
    dates = [m["date"] for m in MEETINGS]
    assert dates == sorted(dates) and len(set(dates)) == 4
    for m in MEETINGS:
        assert m["kind"] in {"rencontre", "atelier", "comite"}
        assert date(2026, 9, 1) <= m["date"] <= date(2026, 12, 31)
        assert 18 <= m["attendance"] <= 45
        for field in ("title", "place", "notes"):
            _text(m[field], 5000 if field == "notes" else 140, f"meeting {field}")

    # Groups.
    assert len(GROUPS) == 4
    _unique([g["key"] for g in GROUPS], "group")
    groups = {g["key"]: g for g in GROUPS}
    for g in GROUPS:
        _text(g["title"], 140, g["key"])
        _text(g["description"], 5000, g["key"])
        assert isinstance(g["contributions_open"], bool) and isinstance(g["voting_open"], bool)
    open_groups = [g for g in GROUPS if g["contributions_open"] and g["voting_open"]]
    closed_groups = [g for g in GROUPS if not g["contributions_open"] and g["voting_open"]]
    assert len(open_groups) == 3 and all(g["vote_budget"] == 5 for g in open_groups)
    assert len(closed_groups) == 1 and closed_groups[0]["vote_budget"] == 3

    # Participants.
    assert len(PARTICIPANTS) == 26
    _unique([p["key"] for p in PARTICIPANTS], "participant")
    _unique([p["name"] for p in PARTICIPANTS], "participant name")
    participants = {p["key"]: p for p in PARTICIPANTS}
    for p in PARTICIPANTS:
        _text(p["name"], 140, p["key"])
        if p["organisation"] is not None:
            _text(p["organisation"], 140, p["key"])

    # Contributions.
    assert 60 <= len(CONTRIBUTIONS) <= 64
    _unique([c["key"] for c in CONTRIBUTIONS], "contribution")
    contributions = {c["key"]: c for c in CONTRIBUTIONS}
    for c in CONTRIBUTIONS:
        assert c["group"] in groups, c["key"]
        assert c["kind"] in KIND_LABELS, c["key"]
        assert c["author"] in participants, c["key"]
        _text(c["title"], 140, c["key"] + " title")
        _text(c["body"], 1500, c["key"] + " body")
    per_group = Counter(c["group"] for c in CONTRIBUTIONS)
    acquis = Counter(c["group"] for c in CONTRIBUTIONS if c["kind"] == "acquis")
    for g in groups:
        assert 13 <= per_group[g] <= 18, (g, per_group[g])
        share = acquis[g] / per_group[g]
        assert 0.38 <= share <= 0.52, (g, share)

    # Votes.
    assert set(VOTES) <= set(contributions)
    used = Counter()
    for ckey, voters in VOTES.items():
        assert len(voters) == len(set(voters)), f"double vote on {ckey}"
        for voter in voters:
            assert voter in participants, (ckey, voter)
            assert voter != contributions[ckey]["author"], f"self-vote on {ckey}"
            used[(contributions[ckey]["group"], voter)] += 1
    for (gkey, voter), n in used.items():
        assert n <= groups[gkey]["vote_budget"], f"{voter} over budget in {gkey}"
    counts = [len(VOTES.get(c, [])) for c in contributions]
    total_votes = sum(counts)
    assert 250 <= total_votes <= 350, total_votes
    assert sum(1 for n in counts if n >= 8) >= 3 and max(counts) <= 14
    assert sum(1 for n in counts if n == 0) >= 1

    # Comments: references, ordering, depth <= 3.
    _unique([k["key"] for k in COMMENTS], "comment")
    seen = {}
    depth = {}
    for k in COMMENTS:
        assert k["contribution"] in contributions, k["key"]
        assert k["author"] in participants, k["key"]
        _text(k["body"], 5000, k["key"])
        parent = k["parent"]
        if parent is None:
            depth[k["key"]] = 1
        else:
            assert parent in seen, f"{k['key']}: parent {parent} missing or listed later"
            assert seen[parent]["contribution"] == k["contribution"], k["key"]
            depth[k["key"]] = depth[parent] + 1
        assert depth[k["key"]] <= 3, k["key"]
        seen[k["key"]] = k
    assert 35 <= len(COMMENTS) <= 45

    print(f"consultation: {CONSULTATION['title']}")
    print(f"meetings: {len(MEETINGS)}, total attendance {sum(m['attendance'] for m in MEETINGS)}")
    print(f"participants: {len(PARTICIPANTS)}")
    print(f"contributions: {len(CONTRIBUTIONS)}")
    for g in GROUPS:
        k = g["key"]
        gv = sum(len(VOTES.get(c["key"], [])) for c in CONTRIBUTIONS if c["group"] == k)
        print(
            f"  {k} {g['title']}: {per_group[k]} contributions "
            f"({acquis[k]} acquis / {per_group[k] - acquis[k]} enjeux), {gv} votes"
        )
    print(
        f"votes: {total_votes} (max {max(counts)} per contribution, "
        f"{sum(1 for n in counts if n >= 8)} with 8+, {sum(1 for n in counts if n == 0)} with none)"
    )
    depths = Counter(depth.values())
    print(
        f"comments: {len(COMMENTS)} (depth 1: {depths[1]}, depth 2: {depths[2]}, "
        f"depth 3: {depths[3]})"
    )
    print("OK")
