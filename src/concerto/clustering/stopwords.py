"""French words that say nothing about what a contribution is about.

Written for this project: grammatical words (articles, pronouns, prepositions,
conjunctions, the forms of être/avoir and of the modal verbs) plus the filler
of workshop post-its (« il faut », « plus », « aussi », « etc », « svp »...).
Matched after lowercasing, elision removal and accent folding, so « très » and
« tres » are both caught. Domain words (ESS, métropole, projet...) are left to
TF-IDF, which weighs them down where they are everywhere.
"""

from __future__ import annotations

_WORDS = """
a à au aux avec ce ces cet cette celle celles celui ceux chez comme contre dans de des du
en entre et il ils elle elles je tu nous vous on la le les leur leurs lui là ma mes mon
ta tes ton sa ses son notre nos votre vos ou où par pour sans sous sur vers un une
que qui quoi dont quel quelle quels quelles lequel laquelle lesquels lesquelles
ne pas plus moins ni mais donc or car si non oui
est sont être été étais était étaient sera seront serait seraient soit sont suis es
sommes êtes fut ai as avons avez ont avoir eu avait avaient aura auront aurait auraient ayant
fait faire fais font faisait ferait feraient faut falloir faudrait fallait
peut peuvent pourrait pourraient pouvoir puisse
doit doivent devrait devraient devoir
veut veulent voudrait vouloir voulons
va vont aller allons
y ça cela ceci ci
aussi très trop bien mieux encore déjà toujours jamais souvent parfois vraiment
tout tous toute toutes chaque même mêmes autre autres certains certaines plusieurs
beaucoup peu assez plein
ici alors ainsi puis ensuite enfin surtout notamment comment pourquoi quand
etc svp stp ok cf vs ex
afin lorsque puisque quoique parce
après avant pendant depuis jusque selon dès hors via
moi toi soi eux
me te se
aujourd hui
cas fois chose choses truc trucs
mettre mise
idée idées proposition propositions proposer propose
besoin besoins
il y avoir
""".split()


def _fold(word: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


STOP_WORDS: frozenset[str] = frozenset(_fold(word) for word in _WORDS)
