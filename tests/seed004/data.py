"""Seed 004 transcribed: the restitution of the Métropole Européenne de Lille's consultations on the
social and solidarity economy (ESS), 11 February 2015 (/work/shared/seeds/004_a8ec7df4dc650ed2.txt).

How the seed maps onto Concerto
-------------------------------

* **One working group, six themes.** The seed's « ENJEUX RECENSÉS À L'OCCASION DES CONSULTATIONS »
  heads every axis page: it is the one place where contributions were gathered, so it is the one
  working group (``GROUP_TITLE``). The « 6 axes transversaux identifiés lors des différentes
  rencontres » were found by the facilitators *after* the meetings, which is what the board's themes
  are: each axis is a theme (``AXES``, in the order of the seed's axis pages), and every item is placed
  in its axis's theme. The restitution then reads as the seed does: the group's heading, then per axis
  « Les acquis à développer » and « De nouveaux enjeux ».
* **Axis titles** are the headings of the axis pages (lines 74–161 of the seed), not the wording of the
  shorter list under « Retour sur les rencontres », which differs slightly (that list is kept in the
  context text, word for word). The first axis page has two headings (« Accompagner la création… » and
  « Accompagner la mise en réseau… ») over one list of items: one axis, its title the two joined by
  « — » (137 characters, within the 140 a theme title may have).
* **Items** are contributions of kind ``acquis`` (« Les acquis à développer ») or ``enjeu`` (« De
  nouveaux enjeux »), in the seed's order, all written by the facilitator who builds the seed (the
  seed names no authors). Titles are the seed's words as plain text: the bold and italic marks are
  dropped (``seed`` keeps the line as the seed writes it, Markdown marks included), nothing is
  shortened — six titles are longer than 140 characters — and bodies are empty (a body repeating the
  title would print every item twice). The seed's own slips are kept: « (Réseau Alliances, » is cut in
  the seed, « euro- métropolitaine », « plus solidaires ».
* **Calendar**: each line of « RAPPEL DU CALENDRIER » is a meeting, with its date, its date range or,
  for the undated steps (« Mars/avril », « Fin avril »…), its text; ``kind`` is what the step is
  in words (Comité, Concertation, Restitution, Commission, Délibération, Assises). « 26 et 30 Janvier 2015 » is
  two days, not a range: Concerto can only say 26–30.
* **Figures**: « 60 participants sur les quatre rencontres » is a declared figure (nobody joined
  Concerto: the facilitator typed everything), so the restitution's participant count is declared, not
  counted; there were no votes, so no support figures.
* **Texts**: the introduction; the context is « MISE EN PERSPECTIVE DES ACTIONS 2015-2020 » with its
  three sub-parts as ``##`` headings; « RETOUR SUR LES RENCONTRES » is the figures section (its title
  chosen by the facilitators, its figure the declared 60), the rest of that page (who spoke, the list
  of the six axes in its own words) is the working group's description; next steps are « Suite des
  travaux » with the four thematic working groups to come (``NEXT_GROUPS`` says which axes each takes
  up: every axis exactly once). The seed's section headings are the restitution's section titles.
* **Date**: the seed's cover says « 11 Février 2014 », a slip: the calendar dates the restitution of
  the four working groups 11 February, after the concertations of January 2015. Kept as 2015-02-11.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

SLUG = "ess-mel-2015"
TITLE = "Restitution des consultations sur l'économie sociale et solidaire"
SUBTITLE = "En préparation de la délibération cadre du PMDESS 2015-2020"
ORGANISER = "Métropole Européenne de Lille"
DATE = dt.date(2015, 2, 11)
# The back cover: who to write to (not part of the restitution's texts).
ADDRESS = "1, rue du Ballon, CS 50749 59034 LILLE CEDEX — Tél : +33 (0)3 20 21 22 23 — www.lillemetropole.fr"

DECLARED_PARTICIPANTS = 60
MEETINGS_COUNT = 4  # « sur les quatre rencontres »

INTRODUCTION = (
    "Accueil de la rencontre par Marc GODEFROY, conseiller métropolitain délégué à l'économie sociale et solidaire"
)

CONTEXT = """\
## Les principes validés par le comité métropolitain

- **L'ESS, une composante originale de l'économie générale, une façon transversale d'entreprendre légitimée par la loi de juillet 2014**
- **L'ESS, une ambition métropolitaine ancrée et ambitieuse**
- **L'ESS, un besoin de développement à la fois urgent et possible**

## Les enjeux validés par le comité métropolitain

- **Poursuivre les actions engagées** dans le précédent plan d'action
- Conforter la mise en place de cadres structurels et structurants favorisant le développement de nouveaux modèles économiques
- Accompagner la structuration et **la mise en économie d'initiatives de production de « Biens communs »** en soutenant l'émergence de modèles économiques alternatifs
- Accompagner **le changement d'échelle compatible avec la « Capillarité » des initiatives** par la promotion du modèle des réseaux à intelligence répartie
- Développer **la synergie entre ESS et métropole innovante** en intégrant toutes les formes d'innovation (co-working, économie collaborative et numérique, économie de la fonctionnalité, économie circulaire, économie et consommation participative...), et contributive à la Troisième Révolution Industrielle

## Une ambition transversale et métropolitaine

L'ESS partie intégrante du PMDE 2015-2020 notamment comme composante d'une économie de l'emploi, d'une économie de proximité, d'une économie de l'innovation,

En appui à d'autres politiques transversales : la politique de la ville, le développement durable notamment
"""

# The seed's section headings (the restitution's own titles where facilitators may choose them).
SECTION_TITLES = {
    "introduction": "Introduction",
    "calendar": "Rappel du calendrier",
    "context": "Mise en perspective des actions 2015-2020",
    "figures": "Retour sur les rencontres",
    "next_steps": "Suite des travaux",
}

GROUP_TITLE = "Enjeux recensés à l'occasion des consultations"
# The rest of « Retour sur les rencontres » (its figure is the declared one): who spoke, and the six
# axes as the list under that heading words them.
GROUP_DESCRIPTION = """Laurent FRAISSE / CRIDA

**6 axes transversaux identifiés lors des différentes rencontres :**

- Accompagner la **création et le développement d'activités** de l'ESS\\
  Soutenir la mise en réseau et la **mutualisation** des acteurs de l'ESS
- Soutenir les **alliances entre ESS et autres acteurs de l'économie métropolitaine**
- **Visibilité / exemplarité/ attractivité** de l'ESS métropolitaine auprès de la collectivité, d'autres territoires, de l'Euro métropole, du grand public...
- **Accompagner les territoires** à l'émergence / concrétisation de projets de l'ESS
- **Sensibiliser / Former** à l'ESS
- **Recherche et innovation**
"""


# -- calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of « RAPPEL DU CALENDRIER »."""

    when: str  # as the seed writes it
    kind: str  # in words: Comité, Concertation, Restitution, Commission, Délibération, Assises
    title: str
    date: dt.date | None = None  # None: an undated step (« Mars/avril »)
    end: dt.date | None = None  # the last day of a step over several days
    # Words shown instead of the date (the date still orders the calendar): two days that are not a range.
    shown: str = ""


CALENDAR: tuple[Step, ...] = (
    Step("10 décembre 2014", "Comité", "Comité métropolitain de l'ESS : validation des enjeux du plan 2015-2020", dt.date(2014, 12, 10)),
    Step(
        "26 et 30 Janvier 2015",
        "Concertation",
        "Concertation des acteurs, structures financées ; des territoires de la MEL ; "
        "du Développement Economique et autres politiques de la MEL",
        dt.date(2015, 1, 26),
        shown="26 et 30 janvier 2015",
    ),
    Step("11 février", "Restitution", "Restitution des quatre groupes de travail", dt.date(2015, 2, 11)),
    Step("Mars/avril", "Concertation", "Poursuite de la concertation partenaires et avis du Conseil de Développement"),
    Step("Fin avril", "Comité", "Présentation pour validation au Comité Métropolitain"),
    Step("Juin", "Commission", "Présentation et échanges avec les élus de la commission économique"),
    Step("Septembre", "Délibération", "Délibération du plan d'action ESS dans le PMDE²"),
    Step("Octobre", "Assises", "Organisation des Assises de l'ESS"),
)

# What each kind becomes where a meeting may only be a rencontre, an atelier or a comité.
STANDARD_KIND = {
    "Comité": "comite",
    "Concertation": "atelier",
    "Restitution": "rencontre",
    "Commission": "comite",
    "Délibération": "comite",
    "Assises": "rencontre",
}


# -- axes and items ---------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    kind: str  # acquis | enjeu
    seed: str  # the line as the seed writes it (Markdown marks included)

    @property
    def title(self) -> str:
        """The seed's words as plain text: bold and italic marks dropped."""
        return plain(self.seed)


@dataclass(frozen=True)
class Axis:
    title: str
    items: tuple[Item, ...]

    @property
    def acquis(self) -> list[Item]:
        return [item for item in self.items if item.kind == "acquis"]

    @property
    def enjeux(self) -> list[Item]:
        return [item for item in self.items if item.kind == "enjeu"]


def plain(markdown: str) -> str:
    return re.sub(r"\*+", "", markdown)


def _axis(title: str, acquis: list[str], enjeux: list[str]) -> Axis:
    return Axis(title, tuple([Item("acquis", line) for line in acquis] + [Item("enjeu", line) for line in enjeux]))


AXES: tuple[Axis, ...] = (
    _axis(
        "Accompagner la création et le développement d'activités de l'ESS — "
        "Accompagner la mise en réseau et la mutualisation des acteurs de l'ESS",
        [
            "Un **appel à projets** « Entreprendre autrement »",
            "Des conventions de **soutien aux structures** d'accompagnement et de financement",
            "La **prise de participations** au sein des SCIC",
            "**Forums métropolitains** pour une économie plus solidaire",
            "Le co-pilotage **Pôle Territorial de Coopération Economique** « Lille Métropole Solidaire » avec Initiatives et Cité",
            "Le soutien à la **structuration et développement** du Réseau Catalyst",
        ],
        [
            "Accompagner les **démarches collectives, de coopération économique**, de groupements, de fédération d'acteurs, de mutualisation de locaux",
            "Encourager la **mise en réseaux et la diffusion de « communs »**",
            "Soutenir l'emploi (création, maintien et développement) et l'**initiative**",
            "Accompagner les acteurs à la **mobilisation des financements**",
        ],
    ),
    _axis(
        "Soutenir les alliances entre acteurs ESS et autres acteurs de l'économie métropolitaine",
        [
            "**Transversalité aux autres chantiers du PMDE** (ICC, textile, agriculture bio, emploi/ressources humaines, recherche, numérique...)",
            "Actions engagées **avec d'autres pôles de la MEL** sur les questions de mobilité, de l'habitat participatif, de la gestion des résidus urbains...",
            "Le Pôle Territorial de Coopération Economique « Lille Métropole solidaire »",
            "Rencontre entre **acteurs de l'ESS et autres acteurs économiques** (Réseau Alliances,",
        ],
        [
            "Concrétiser et conforter les échanges économiques en s'inscrivant dans **des dynamiques de filières**",
            "Mise en place d'une **politique publique concertée** ESS, et recyclage et réemploi ; ESS et Industries Culturelles et Créatives, ESS et habitat ...",
            "Initier une **monnaie complémentaire**",
            "**Décloisonner les dispositifs d'accompagnement** à la création d'entreprises",
            "**Décloisonner ESS / commerce et services de proximité**",
        ],
    ),
    _axis(
        "Visibilité / exemplarité / attractivité de l'ESS métropolitaine",
        [
            "**La MEL chef de file de l'ESS** reconnue par les autres collectivités (région) et le national",
            "La **mise en réseau** des référents ESS des différentes thématiques de la MEL",
            "Le soutien à la démarche **clauses d'insertion**",
        ],
        [
            "Accompagner la **politique achats responsables** dans sa construction et la promotion des acteurs et services de l'ESS (dont la promotion de l'IAE et des TH)",
            "Mieux articuler la politique des autres collectivités (PRDESS, département) au projet de la MEL et en cohérence avec les projets portés par les autres PLDESS régionaux",
            "**Renforcer les échanges nationaux (RTES) et au sein d'un réseau des Métropoles** (Nantes, Strasbourg, Lyon...)",
            "Aller vers une **approche euro- métropolitaine et transfrontalière** (ex: approche de publics cibles, innovation, échanges de pratiques)",
        ],
    ),
    _axis(
        "Recherche et innovation",
        [
            "**L'évaluation** permanente du plan d'action et **L'observation** de l'ESS sur le territoire",
            "La **Chaire ESS**",
            "Valorisation de **l'utilité sociale** (programme CORUS ESS)",
            "Soutien aux **innovations numériques solidaires**",
            "**Fonds de prêts** à l'entrepreneuriat collectif (Rebond industriel)",
            "Préfiguration d'une **filière de recyclage sur les vêtements de travail**",
            "Soutien à l'association/SCIC SOLIS",
        ],
        [
            "**Innovation Sociale**",
            "Economie **collaborative**, économie **circulaire**, économie de la **fonctionnalité...**",
            "Transition énergétique et **troisième révolution industrielle**",
            "Développer, structurer les interactions entre chercheurs, étudiants, la MEL et ses acteurs",
            "Anticiper la politique de la MEL liée à la **réforme des collectivités territoriales** et en particulier dans l'approche de **nouvelles compétences**",
        ],
    ),
    _axis(
        "Sensibiliser / former à l'ESS",
        [
            "**Forums métropolitains** pour une économie plus solidaires",
            "Événement grand public « **Faites de l'ESS** »",
            "**Itinéraires** de l'ESS",
            "La Chaire ESS",
            "**Sensibilisation** des conseillers création, conseillers emploi....",
        ],
        [
            "« *Assises métropolitaines de l'ESS* »",
            "Le maintien d'actions de sensibilisation à destination du **grand public** décliné sur les territoires",
            "RDV « *Pépites de l'ESS* » en alternance avec des rencontres « *Mise en réseaux et filières de l'ESS* »",
            "**Itinéraires à destination des élus**",
            "Intégrer l'ESS dans le **plan de formation** des collectivités",
            "Intégrer l'ESS à la **formation supérieure** via des modules spécialisés et mutualisés",
        ],
    ),
    _axis(
        "Accompagner les territoires à l'émergence / concrétisation de projets de l'ESS",
        [
            "La MEL **chef de file** de l'ESS (animation et coordination)",
            "Des rencontres régulières avec les **techniciens des villes**",
            "Un **appel à projets** aux territoires (à faire évoluer)",
        ],
        [
            "Un **appel à manifestation d'intérêt** auprès des territoires de la MEL",
            "Accompagnement et **ingénierie adaptés** aux besoins exprimés par le territoire (traitement différencié en fonction de la taille et des acteurs en présence)",
            "Soutien à l'**essaimage** de projets",
            "Une présence soutenue dans les territoires **Politique de la ville**",
        ],
    ),
)

ITEMS: tuple[Item, ...] = tuple(item for axis in AXES for item in axis.items)


# -- next steps -------------------------------------------------------------------------

# « Suite des travaux »: the four thematic working groups to come, as the seed words them, and the
# axes (indices in AXES) each takes up.
NEXT_GROUPS: tuple[tuple[tuple[str, ...], tuple[int, ...]], ...] = (
    (("Accompagner la création et le développement d'activités de l'ESS",
      "Accompagner la mise en réseau et la mutualisation des acteurs de l'ESS"), (0,)),
    (("Soutenir les alliances entre acteurs ESS et autres acteurs de l'économie métropolitaine",
      "Visibilité / exemplarité / attractivité de l'ESS métropolitaine"), (1, 2)),
    (("Accompagner les territoires à l'émergence / concrétisation de projets de l'ESS",), (5,)),
    (("Sensibiliser / Former", "Recherche innovation"), (4, 3)),
)

NEXT_STEPS = (
    "4 groupes de travail thématiques composés d'acteurs du territoire, de techniciens de la MEL et des villes "
    "pour décliner les actions prioritaires à partir des enjeux identifiés\n\n"
    + "\n".join(f"{number}. " + "\\\n   ".join(lines) for number, (lines, _axes) in enumerate(NEXT_GROUPS, start=1))
    + "\n"
)
