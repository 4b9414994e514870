"""Latvian names for demo data: first names by gender and generation, surnames in both forms.

Latvian surnames agree with the gender of the person: a woman of the Bērziņš family is
Bērziņa, of the Jansons family Jansone, of the Balodis family Balode. Some surnames (Liepa,
Priede, Bite) have one form for both.
"""

from __future__ import annotations

# (masculine form, feminine form)
SURNAMES: tuple[tuple[str, str], ...] = (
    ("Bērziņš", "Bērziņa"), ("Kalniņš", "Kalniņa"), ("Ozols", "Ozola"),
    ("Jansons", "Jansone"), ("Liepa", "Liepa"), ("Krūmiņš", "Krūmiņa"),
    ("Balodis", "Balode"), ("Eglītis", "Eglīte"), ("Zariņš", "Zariņa"),
    ("Pētersons", "Pētersone"), ("Vītols", "Vītola"), ("Kļaviņš", "Kļaviņa"),
    ("Ozoliņš", "Ozoliņa"), ("Liepiņš", "Liepiņa"), ("Kārkliņš", "Kārkliņa"),
    ("Lūsis", "Lūse"), ("Siliņš", "Siliņa"), ("Strazds", "Strazda"),
    ("Priede", "Priede"), ("Zālītis", "Zālīte"), ("Auziņš", "Auziņa"),
    ("Vilks", "Vilka"), ("Kalējs", "Kalēja"), ("Ābols", "Ābola"),
    ("Rozītis", "Rozīte"), ("Sproģis", "Sproģe"), ("Lācis", "Lāce"),
    ("Bite", "Bite"), ("Kauliņš", "Kauliņa"), ("Celmiņš", "Celmiņa"),
    ("Grīnbergs", "Grīnberga"), ("Dzenis", "Dzene"), ("Skujiņš", "Skujiņa"),
    ("Muižnieks", "Muižniece"), ("Andersons", "Andersone"), ("Zvirbulis", "Zvirbule"),
    ("Purmalis", "Purmale"), ("Freimanis", "Freimane"), ("Jēkabsons", "Jēkabsone"),
    ("Mednis", "Medne"), ("Gailis", "Gaile"), ("Zeltiņš", "Zeltiņa"),
    ("Krastiņš", "Krastiņa"), ("Āboliņš", "Āboliņa"), ("Sīlis", "Sīle"),
    ("Paegle", "Paegle"), ("Vanags", "Vanaga"), ("Puķītis", "Puķīte"),
    ("Briedis", "Briede"), ("Cīrulis", "Cīrule"), ("Jurēvičs", "Jurēviča"),
    ("Ivanovs", "Ivanova"), ("Petrovs", "Petrova"), ("Smirnovs", "Smirnova"),
    ("Kuzņecovs", "Kuzņecova"), ("Novikovs", "Novikova"), ("Kovaļovs", "Kovaļova"),
)

CHILD_FIRST_NAMES_FEMALE: tuple[str, ...] = (
    "Sofija", "Alise", "Anna", "Marta", "Emīlija", "Paula", "Elza", "Estere", "Amēlija",
    "Madara", "Keita", "Laura", "Evelīna", "Viktorija", "Nikola", "Rēzija", "Adele", "Luīze",
    "Elīza", "Megija", "Beatrise", "Katrīna", "Patrīcija", "Karolīna", "Agate", "Lote",
    "Ance", "Diāna", "Darja", "Poļina", "Arina", "Marija", "Jana", "Kristiāna", "Samanta",
    "Una", "Loreta", "Ksenija", "Emma", "Mia", "Hanna", "Milana", "Alīna", "Annija", "Gabriela",
    "Dārta", "Sanija", "Anastasija", "Elizabete", "Linda", "Līva", "Veronika", "Monta",
    "Terēze", "Undīne", "Agnija", "Kate", "Rita", "Zlata", "Ieva",
)
CHILD_FIRST_NAMES_MALE: tuple[str, ...] = (
    "Roberts", "Markuss", "Gustavs", "Kristians", "Emīls", "Daniels", "Ralfs", "Rūdolfs",
    "Artūrs", "Mārtiņš", "Olivers", "Adrians", "Teodors", "Kārlis", "Jēkabs", "Niks",
    "Rihards", "Kristers", "Dāvis", "Toms", "Renārs", "Raivis", "Patriks", "Ričards",
    "Edvards", "Eduards", "Jānis", "Matīss", "Miks", "Ernests", "Aleksandrs", "Maksims",
    "Nikita", "Artjoms", "Gabriels", "Valters", "Alekss", "Krišjānis", "Elvis", "Oskars",
    "Pēteris", "Marks", "Tomass", "Kristofers", "Linards", "Ansis", "Reinis", "Deniss",
    "Ēriks", "Haralds", "Nils", "Sandis", "Arvis", "Hugo", "Dominiks", "Kirils", "Ivans",
    "Bruno", "Klāvs", "Emanuels",
)
ADULT_FIRST_NAMES_FEMALE: tuple[str, ...] = (
    "Ilze", "Inese", "Kristīne", "Liene", "Dace", "Sanita", "Ieva", "Agnese", "Zane", "Līga",
    "Santa", "Laila", "Evija", "Inga", "Baiba", "Jolanta", "Anita", "Sandra", "Gunta", "Aiga",
    "Iveta", "Ilona", "Elīna", "Signe", "Dina", "Olga", "Jeļena", "Svetlana", "Tatjana",
    "Linda",
)
ADULT_FIRST_NAMES_MALE: tuple[str, ...] = (
    "Jānis", "Andris", "Māris", "Juris", "Edgars", "Aigars", "Guntis", "Aivars", "Raimonds",
    "Kaspars", "Ainārs", "Gints", "Normunds", "Uldis", "Valdis", "Ivars", "Artis", "Mārtiņš",
    "Egils", "Kristaps", "Armands", "Sergejs", "Aleksejs", "Dmitrijs", "Vladimirs", "Igors",
    "Intars", "Agris", "Dainis", "Gatis",
)

MASCULINE_ONLY_SURNAMES = frozenset(m for m, f in SURNAMES if m != f)
FEMININE_ONLY_SURNAMES = frozenset(f for m, f in SURNAMES if m != f)


def surname_form(family: int, female: bool) -> str:
    """The surname of family number ``family`` in the form for a woman or a man."""
    masculine, feminine = SURNAMES[family % len(SURNAMES)]
    return feminine if female else masculine
