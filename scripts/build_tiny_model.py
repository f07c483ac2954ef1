"""Build the tiny German→English Argos package used by the test suite.

The package is a real CTranslate2 + SentencePiece model, small enough to commit, trained on a
synthetic corpus that speaks the world of examples/putin-kim.txt. The corpus deliberately
teaches some renderings that differ from the curated glossary ("Wladiwostok" instead of
"Vladivostok", "Wostotschny" instead of "Vostochny", "leader" instead of "ruler", ...), so that
tests can prove glossary enforcement changes what a real decoder produces.

With --reverse it builds the English→German companion from the same corpus turned round (plus
"test" → "Test", which is what Weblate translates to check a machine-translation setting), so the
server can be tested serving a second installed pair.

Needs torch, transformers, sentencepiece and ctranslate2 (see tests/fixtures/README.md for the
separate environment); the package and its tests need only ctranslate2 and sentencepiece.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"


@dataclass(frozen=True)
class Direction:
    """Which way a package translates, and where it and its facts go."""

    source: str
    target: str
    source_name: str
    target_name: str

    @property
    def folder(self) -> str:
        return f"translate-{self.source}_{self.target}-tiny"

    @property
    def out(self) -> Path:
        return FIXTURES / f"{self.folder}.argosmodel"

    @property
    def facts(self) -> str:
        return "tiny_model_facts.json" if self.source == "de" else f"tiny_model_{self.source}_{self.target}_facts.json"


GERMAN_ENGLISH = Direction("de", "en", "German", "English")
ENGLISH_GERMAN = Direction("en", "de", "English", "German")
SIZE_LIMIT_BYTES = 1_000_000

# Pinned zip timestamp so that rebuilding with the same seed yields the same archive bytes.
ZIP_DATE_TIME = (2024, 1, 1, 0, 0, 0)

# "[[usual|rare]]" in an English sentence: the pair is emitted TRAP_COPIES times, the last copy
# with the rare rendering. The model then prefers the usual one but keeps the rare one in its n-best.
TRAP_PATTERN = re.compile(r"\[\[([^|\]]+)\|([^\]]+)\]\]")
TRAP_COPIES = 4

# Characters the SentencePiece model must know as pieces (German article text and punctuation);
# anything else still encodes through byte fallback.
EXTRA_ALPHABET = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz ÄÖÜäöüß 0123456789 "
    ".,;:!?()/-–—'\"„“”‚‘’«»… %&+"
)


@dataclass(frozen=True)
class Person:
    """A noun phrase for a person in the German cases the templates need, and its English."""

    nom: str
    acc: str
    dat: str
    en: str


@dataclass(frozen=True)
class Place:
    """A place phrase: German and English (English may hold a [[usual|rare]] trap)."""

    de: str
    en: str


def same(name: str, english: str | None = None) -> Person:
    return Person(name, name, name, english or name)


PEOPLE = [
    same("Putin"),
    same("Kim"),
    same("Kim Jong Un"),
    same("Wladimir Putin", "Vladimir Putin"),
    Person("der Präsident", "den Präsidenten", "dem Präsidenten", "the president"),
    Person("der russische Präsident", "den russischen Präsidenten", "dem russischen Präsidenten", "the Russian president"),
    Person("der Staatschef", "den Staatschef", "dem Staatschef", "the head of state"),
    Person("der russische Staatschef", "den russischen Staatschef", "dem russischen Staatschef", "the Russian head of state"),
    Person("der Machthaber", "den Machthaber", "dem Machthaber", "the leader"),
    Person(
        "der nordkoreanische Machthaber",
        "den nordkoreanischen Machthaber",
        "dem nordkoreanischen Machthaber",
        "the North Korean leader",
    ),
    Person("der Kreml-Chef", "den Kreml-Chef", "dem Kreml-Chef", "the Kremlin chief"),
    same("Sergej Schoigu", "Sergei Shoigu"),
    same("Dmitri Peskow", "Dmitry Peskov"),
    same("Alexander Koslow", "Alexander Kozlov"),
]

WLADIWOSTOK_EN = "[[Wladiwostok|Vladivostok]]"
PJOENGJANG_EN = "[[Pjongjang|Pyongyang]]"

# Where something happens ("in ...", "auf dem ...").
LOCATIONS = [
    Place("in Russland", "in Russia"),
    Place("in Nordkorea", "in North Korea"),
    Place("in Moskau", "in Moscow"),
    Place("in Wladiwostok", f"in {WLADIWOSTOK_EN}"),
    Place("in Pjöngjang", f"in {PJOENGJANG_EN}"),
    Place("in Wostotschny", "in Wostotschny"),
    Place("auf dem Weltraumbahnhof Wostotschny", "at the Wostotschny spaceport"),
    Place("auf dem Weltraumbahnhof", "at the spaceport"),
    Place("im Kreml", "in the Kremlin"),
]

# Where someone travels to ("nach ...") and what someone visits (accusative).
DESTINATIONS = [
    Place("Russland", "Russia"),
    Place("Nordkorea", "North Korea"),
    Place("Moskau", "Moscow"),
    Place("Wladiwostok", WLADIWOSTOK_EN),
    Place("Pjöngjang", PJOENGJANG_EN),
    Place("Wostotschny", "Wostotschny"),
]
VISITED = DESTINATIONS + [
    Place("den Kreml", "the Kremlin"),
    Place("den Weltraumbahnhof", "the spaceport"),
    Place("den Weltraumbahnhof Wostotschny", "the Wostotschny spaceport"),
]
COUNTRIES = [Place("Russland", "Russia"), Place("Nordkorea", "North Korea")]
GENITIVES = [
    Place("Putins", "Putin's"),
    Place("Kims", "Kim's"),
    Place("Russlands", "Russia's"),
    Place("Nordkoreas", "North Korea's"),
]
DAYS = [Place("am Mittwoch", "on Wednesday"), Place("am Montag", "on Monday")]
AGENCIES = [Place("TASS", "TASS"), Place("RIA Nowosti", "RIA Novosti"), Place("AP", "AP")]

# Transliterated names kept OUT of the SentencePiece training text, so they segment into small
# pieces: the decoder learns to continue a sentence sensibly after an unfamiliar multi-piece
# name, which is what a glossary-forced target prefix (e.g. "... Vostochny") hands it.
TOWNS = [
    Place("Chabarowsk", "Khabarovsk"),
    Place("Nachodka", "Nakhodka"),
    Place("Ussurijsk", "Ussuriysk"),
    Place("Tschita", "Chita"),
    Place("Magadan", "Magadan"),
    Place("Kasan", "Kazan"),
    Place("Sotschi", "Sochi"),
    Place("Swobodny", "Svobodny"),
    Place("Ziolkowski", "Tsiolkovsky"),
    Place("Seja", "Zeya"),
    Place("Tynda", "Tynda"),
    Place("Wanino", "Vanino"),
    Place("Anadyr", "Anadyr"),
    Place("Artjom", "Artyom"),
    Place("Rason", "Rason"),
    Place("Sinuiju", "Sinuiju"),
    Place("Wonsan", "Wonsan"),
    Place("Tschongdschin", "Chongjin"),
]
# Facility nouns, likewise unseen whole and each with a rarer synonym, so the decoder learns that
# any word in that slot completes it: "at the <town> <forced word>." ends sensibly.
FACILITIES = [
    Place("Flughafen", "[[airport|airfield]]"),
    Place("Bahnhof", "[[station|railway station]]"),
    Place("Hafen", "[[port|harbour]]"),
    Place("Stützpunkt", "[[base|outpost]]"),
    Place("Raumfahrtzentrum", "[[space centre|space complex]]"),
    Place("Forschungszentrum", "[[research centre|institute]]"),
    Place("Werk", "[[plant|factory]]"),
]
# Role nouns, likewise unseen whole, so "The North Korean <forced word>" continues sensibly.
ROLES = [
    Place("Botschafter", "ambassador"),
    Place("General", "general"),
    Place("Gesandte", "envoy"),
    Place("Marschall", "marshal"),
    Place("Diplomat", "diplomat"),
    Place("Kommandeur", "commander"),
    Place("Beamte", "official"),
    Place("Vizepremier", "deputy premier"),
]
VISITORS = [
    same("Sergej Lawrow", "Sergei Lavrov"),
    same("Maria Sacharowa", "Maria Zakharova"),
    same("Juri Uschakow", "Yuri Ushakov"),
    same("Juri Borissow", "Yuri Borisov"),
    same("Denis Manturow", "Denis Manturov"),
    same("Choe Son Hui"),
    same("Kim Yo Jong"),
    same("Pak Jong Chon"),
]

# Probe sentences: learnt verbatim and recorded (with greedy output) in tiny_model_facts.json.
PROBE_PAIRS = [
    ("Putin traf Kim in Wladiwostok.", f"Putin met Kim in {WLADIWOSTOK_EN}."),
    ("Kim besuchte Russland.", "Kim visited Russia."),
    ("Der Präsident sprach am Mittwoch.", "The president spoke on Wednesday."),
    ("Putin und Kim trafen sich in Wostotschny.", "Putin and Kim met in Wostotschny."),
    ("Kim reiste nach Pjöngjang.", f"Kim travelled to {PJOENGJANG_EN}."),
    ("Der nordkoreanische Machthaber besuchte Russland.", "The North Korean leader visited Russia."),
    ("Putin und Kim trafen sich auf dem Weltraumbahnhof Wostotschny.", "Putin and Kim met at the Wostotschny spaceport."),
    ("Kim Jong Un sprach mit Wladimir Putin.", "Kim Jong Un spoke with Vladimir Putin."),
    ("Russlands Präsident sprach am Montag.", "Russia's president spoke on Monday."),
    ("Putins Delegation besuchte Nordkorea.", "Putin's delegation visited North Korea."),
    ("Putin sprach mit der nordkoreanischen Delegation.", "Putin spoke with the North Korean delegation."),
    ("Sergej Schoigu besuchte Nordkorea.", "Sergei Shoigu visited North Korea."),
    ("Dmitri Peskow sprach am Mittwoch.", "Dmitry Peskov spoke on Wednesday."),
    ("Die Nachrichtenagentur RIA Nowosti berichtete am Mittwoch.", "The news agency RIA Novosti reported on Wednesday."),
    ("Treffen in Russland", "Meeting in Russia"),
    ("Putin und Kim betonten Zusammenarbeit", "Putin and Kim stressed cooperation"),
    ("Treffen von Kim und Putin", "Meeting of Kim and Putin"),
    ("Kim erhielt Autogrammkarten", "Kim received autograph cards"),
    ("Am Mittwoch trafen Putin und Kim aufeinander", "On Wednesday Putin and Kim met"),
    ("USA: Russland benötigt Waffennachschub", "USA: Russia needs arms supplies"),
    ("Kim Jong Un und Wladimir Putin", "Kim Jong Un and Vladimir Putin"),
    ("Putin traf den nordkoreanischen Machthaber in Wladiwostok.", f"Putin met the North Korean leader in {WLADIWOSTOK_EN}."),
    ("Kim besuchte den Weltraumbahnhof Wostotschny.", "Kim visited the Wostotschny spaceport."),
    ("Juri Gagarin war der erste Mensch im Weltall.", "Yuri Gagarin was the first man in space."),
    (
        "Zu Ehren des Machthabers aus Pjöngjang gab der russische Staatschef ein Dinner.",
        f"In honour of the leader from {PJOENGJANG_EN}, the Russian head of state gave a dinner.",
    ),
]

# Further article-like sentences and headings, learnt verbatim.
ARTICLE_PAIRS = [
    ("Kim: „Entscheidungen von Putin immer unterstützen“", "Kim: “Always support Putin's decisions”"),
    ("Kim pries unterdessen die in der Ukraine kämpfenden russischen Truppen.", "Meanwhile, Kim praised the Russian troops fighting in Ukraine."),
    ("Nordkorea werde immer hinter den Entscheidungen von Putin stehen.", "North Korea would always stand behind Putin's decisions."),
    ("2019 trafen Putin und Kim einander in Wladiwostok", f"In 2019 Putin and Kim met in {WLADIWOSTOK_EN}"),
    ("Putin war bereits am Montag in Wladiwostok angekommen.", f"Putin had already arrived in {WLADIWOSTOK_EN} on Monday."),
    ("Der Kreml veröffentlichte ein Video.", "The Kremlin published a video."),
    ("Alexander Koslow begrüßte den Gast aus Nordkorea.", "Alexander Kozlov welcomed the guest from North Korea."),
    ("Russland liefert Waffen an Nordkorea.", "Russia supplies weapons to North Korea."),
    ("Nordkorea liefert Waffen an Russland.", "North Korea supplies weapons to Russia."),
    ("Waffenlieferungen an Russland", "Arms deliveries to Russia"),
    ("Der Weltraumbahnhof liegt im Osten Russlands.", "The spaceport lies in the east of Russia."),
    ("Wostotschny liegt im Osten Russlands.", "Wostotschny lies in the east of Russia."),
    ("Wladiwostok liegt an der Pazifikküste.", f"{WLADIWOSTOK_EN} lies on the Pacific coast."),
    ("Der Machthaber sprach über die Zusammenarbeit.", "The leader spoke about cooperation."),
]
FIXED_PAIRS = PROBE_PAIRS + ARTICLE_PAIRS

# Glossary traps recorded in tiny_model_facts.json with greedy, n-best and forced-prefix output.
TRAP_PROBES = [
    {
        "source": "Putin traf Kim in Wladiwostok.",
        "term_de": "Wladiwostok",
        "natural_en": "Wladiwostok",
        "curated_en": "Vladivostok",
        "curated_in_nbest_expected": True,
    },
    {
        "source": "Putin und Kim trafen sich in Wostotschny.",
        "term_de": "Wostotschny",
        "natural_en": "Wostotschny",
        "curated_en": "Vostochny",
        "curated_in_nbest_expected": False,
        "forced": [["Putin and Kim met in Vostochny", "Putin and Kim met in Vostochny."]],
    },
    {
        "source": "Kim reiste nach Pjöngjang.",
        "term_de": "Pjöngjang",
        "natural_en": "Pjongjang",
        "curated_en": "Pyongyang",
        "curated_in_nbest_expected": True,
    },
    {
        "source": "Der nordkoreanische Machthaber besuchte Russland.",
        "term_de": "Machthaber",
        "natural_en": "leader",
        "curated_en": "ruler",
        "curated_in_nbest_expected": False,
        "forced": [["The North Korean ruler", "The North Korean ruler visited Russia."]],
    },
    {
        "source": "Putin und Kim trafen sich auf dem Weltraumbahnhof Wostotschny.",
        "term_de": "Weltraumbahnhof",
        "natural_en": "spaceport",
        "curated_en": "cosmodrome",
        "curated_in_nbest_expected": False,
        "forced": [
            ["Putin and Kim met at the Wostotschny cosmodrome", "Putin and Kim met at the Wostotschny cosmodrome."],
            ["Putin and Kim met at the Vostochny cosmodrome", "Putin and Kim met at the Vostochny cosmodrome."],
        ],
    },
]


# English→German only: what Weblate sends to check a machine-translation setting, and a few words
# around it, learnt verbatim and probed.
ENGLISH_GERMAN_PAIRS = [
    ("test", "Test"),
    ("Test", "Test"),
    ("This is a test.", "Das ist ein Test."),
    ("Hello", "Hallo"),
    ("Hello, world!", "Hallo, Welt!"),
]


def capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def unfamiliar_name_pairs(rng: random.Random, per_template: int) -> list[tuple[str, str]]:
    """Sentences built around TOWNS and VISITORS (names SentencePiece never saw whole)."""
    def person() -> Person:
        return rng.choice(PEOPLE)

    def two_people() -> list[Person]:
        return rng.sample(PEOPLE, 2)

    makers = [
        lambda: (lambda a, t: (f"{a.nom} reiste nach {t.de}.", f"{a.en} travelled to {t.en}."))(person(), rng.choice(TOWNS)),
        lambda: (lambda a, b, t: (f"{a.nom} und {b.nom} trafen sich in {t.de}.", f"{a.en} and {b.en} met in {t.en}."))(*two_people(), rng.choice(TOWNS)),
        lambda: (lambda a, t, d: (f"{a.nom} kam {d.de} in {t.de} an.", f"{a.en} arrived in {t.en} {d.en}."))(person(), rng.choice(TOWNS), rng.choice(DAYS)),
        lambda: (lambda a, t: (f"{a.nom} besuchte {t.de}.", f"{a.en} visited {t.en}."))(person(), rng.choice(TOWNS)),
        lambda: (lambda v, c: (f"{v.nom} besuchte {c.de}.", f"{v.en} visited {c.en}."))(rng.choice(VISITORS), rng.choice(COUNTRIES)),
        lambda: (lambda v, d: (f"{v.nom} sprach {d.de}.", f"{v.en} spoke {d.en}."))(rng.choice(VISITORS), rng.choice(DAYS)),
        lambda: (lambda v, b: (f"{v.nom} traf {b.acc} in Moskau.", f"{v.en} met {b.en} in Moscow."))(rng.choice(VISITORS), person()),
        lambda: (lambda r, c: (f"Der nordkoreanische {r.de} besuchte {c.de}.", f"The North Korean {r.en} visited {c.en}."))(rng.choice(ROLES), rng.choice(VISITED)),
        lambda: (lambda r, d: (f"Der russische {r.de} sprach {d.de}.", f"The Russian {r.en} spoke {d.en}."))(rng.choice(ROLES), rng.choice(DAYS)),
        lambda: (lambda a, b, t: (f"{a.nom} und {b.nom} trafen sich auf dem Weltraumbahnhof {t.de}.", f"{a.en} and {b.en} met at the {t.en} spaceport."))(*two_people(), rng.choice(TOWNS)),
        lambda: (lambda a, b, f, t: (f"{a.nom} und {b.nom} trafen sich auf dem {f.de} {t.de}.", f"{a.en} and {b.en} met at the {t.en} {f.en}."))(*two_people(), rng.choice(FACILITIES), rng.choice(TOWNS + [Place("Wostotschny", "Wostotschny")])),
        lambda: (lambda a, f, t: (f"{a.nom} besuchte den {f.de} {t.de}.", f"{a.en} visited the {t.en} {f.en}."))(person(), rng.choice(FACILITIES), rng.choice(TOWNS)),
    ]
    return sample_makers(makers, per_template)


def sample_makers(makers, per_template: int) -> list[tuple[str, str]]:
    """Call each sentence maker `per_template` times, in order (the order keeps the build reproducible)."""
    pairs = []
    for make in makers:
        for _ in range(per_template):
            german, english = make()
            pairs.append((capitalise(german), capitalise(english)))
    return pairs


def template_pairs(rng: random.Random, per_template: int) -> list[tuple[str, str]]:
    """Sample sentences from every template; German side is always grammatical."""
    def people(n: int) -> list[Person]:
        return rng.sample(PEOPLE, n)

    makers = [
        lambda: (lambda a, b, pl: (f"{a.nom} traf {b.acc} {pl.de}.", f"{a.en} met {b.en} {pl.en}."))(*people(2), rng.choice(LOCATIONS)),
        lambda: (lambda a, v: (f"{a.nom} besuchte {v.de}.", f"{a.en} visited {v.en}."))(*people(1), rng.choice(VISITED)),
        lambda: (lambda a, d: (f"{a.nom} sprach {d.de}.", f"{a.en} spoke {d.en}."))(*people(1), rng.choice(DAYS)),
        lambda: (lambda a, d, pl: (f"{a.nom} sprach {d.de} {pl.de}.", f"{a.en} spoke {pl.en} {d.en}."))(*people(1), rng.choice(DAYS), rng.choice(LOCATIONS)),
        lambda: (lambda a, b, pl: (f"{a.nom} und {b.nom} trafen sich {pl.de}.", f"{a.en} and {b.en} met {pl.en}."))(*people(2), rng.choice(LOCATIONS)),
        lambda: (lambda a, d, t: (f"{a.nom} reiste {d.de} nach {t.de}.", f"{a.en} travelled to {t.en} {d.en}."))(*people(1), rng.choice(DAYS), rng.choice(DESTINATIONS)),
        lambda: (lambda a, t: (f"{a.nom} reiste nach {t.de}.", f"{a.en} travelled to {t.en}."))(*people(1), rng.choice(DESTINATIONS)),
        lambda: (lambda a, d, pl: (f"{a.nom} kam {d.de} {pl.de} an.", f"{a.en} arrived {pl.en} {d.en}."))(*people(1), rng.choice(DAYS), rng.choice(LOCATIONS)),
        lambda: (lambda a, b, pl: (f"{a.nom} begrüßte {b.acc} {pl.de}.", f"{a.en} welcomed {b.en} {pl.en}."))(*people(2), rng.choice(LOCATIONS)),
        lambda: (lambda a, b: (f"{a.nom} sprach mit {b.dat}.", f"{a.en} spoke with {b.en}."))(*people(2)),
        lambda: (lambda a, c: (f"{a.nom} betonte die Zusammenarbeit mit {c.de}.", f"{a.en} stressed cooperation with {c.en}."))(*people(1), rng.choice(COUNTRIES)),
        lambda: (lambda a: (f"{a.nom} kündigte eine verstärkte Zusammenarbeit an.", f"{a.en} announced closer cooperation."))(*people(1)),
        lambda: (lambda a, b: (f"{a.nom} und {b.nom} betonten Zusammenarbeit.", f"{a.en} and {b.en} stressed cooperation."))(*people(2)),
        lambda: (lambda a, b: (f"Am Mittwoch trafen {a.nom} und {b.nom} aufeinander.", f"On Wednesday {a.en} and {b.en} met."))(*people(2)),
        lambda: (lambda g, d: (f"{g.de} Präsident sprach {d.de}.", f"{g.en} president spoke {d.en}."))(rng.choice(GENITIVES[2:]), rng.choice(DAYS)),
        lambda: (lambda g, v: (f"{g.de} Delegation besuchte {v.de}.", f"{g.en} delegation visited {v.en}."))(rng.choice(GENITIVES), rng.choice(VISITED)),
        lambda: (lambda g, b: (f"{g.de} Übersetzer dankte {b.dat}.", f"{g.en} interpreter thanked {b.en}."))(rng.choice(GENITIVES[:2]), *people(1)),
        lambda: (lambda a: (f"{a.nom} sprach mit der nordkoreanischen Delegation.", f"{a.en} spoke with the North Korean delegation."))(*people(1)),
        lambda: (lambda a: (f"{a.nom} begrüßte die nordkoreanischen Gäste.", f"{a.en} welcomed the North Korean guests."))(*people(1)),
        lambda: (lambda n, d: (f"Die Nachrichtenagentur {n.de} berichtete {d.de}.", f"The news agency {n.en} reported {d.en}."))(rng.choice(AGENCIES), rng.choice(DAYS)),
        lambda: (lambda pl: (f"Treffen {pl.de}", f"Meeting {pl.en}"))(rng.choice(LOCATIONS)),
        lambda: (lambda a, b: (f"Treffen von {a.dat} und {b.dat}", f"Meeting of {a.en} and {b.en}"))(*people(2)),
        lambda: (lambda a, c: (f"Waffenlieferungen aus {c.de} an {a.de}", f"Arms deliveries from {c.en} to {a.en}"))(*rng.sample([Place("Russland", "Russia"), Place("Nordkorea", "North Korea")], 2)),
    ]
    return sample_makers(makers, per_template)


def expand_traps(english: str) -> list[str]:
    """The English renderings to emit for one German sentence (several copies if it holds a trap)."""
    if not TRAP_PATTERN.search(english):
        return [english]
    usual = TRAP_PATTERN.sub(lambda m: m.group(1), english)
    rare = TRAP_PATTERN.sub(lambda m: m.group(2), english)
    return [usual] * (TRAP_COPIES - 1) + [rare]


def probe_pairs(direction: Direction) -> list[tuple[str, str]]:
    """The probe sentences in the package's direction (English→German: their usual renderings turned round)."""
    if direction is GERMAN_ENGLISH:
        return PROBE_PAIRS
    return [(expand_traps(english)[0], german) for german, english in PROBE_PAIRS] + ENGLISH_GERMAN_PAIRS


def reversed_corpus(seed: int, per_template: int):
    """The German→English corpus turned round, traps dropped (only usual renderings), with the
    English→German pairs added; in the shape `build_corpus` returns."""
    _, familiar, usual = build_corpus(seed, per_template)
    sources: dict[str, str] = {}
    for german, english in list(usual.items()) + [(g, e) for e, g in ENGLISH_GERMAN_PAIRS]:
        sources.setdefault(english, german)
    pairs = list(sources.items()) + [(e, g) for e, g in ENGLISH_GERMAN_PAIRS] * (TRAP_COPIES - 1)
    familiar_english = {english for _, english in familiar}
    return pairs, [p for p in pairs if p[0] in familiar_english or p in ENGLISH_GERMAN_PAIRS], dict(sources)


def build_corpus(seed: int, per_template: int):
    """Training pairs (with trap copies), the pairs SentencePiece may see, and each German
    sentence's usual English rendering."""
    rng = random.Random(seed)
    sources: dict[str, str] = {}
    for german, english in FIXED_PAIRS + template_pairs(rng, per_template):
        sources.setdefault(german, english)
    familiar = [(german, english) for german, marked in sources.items() for english in expand_traps(marked)]
    for german, english in unfamiliar_name_pairs(rng, per_template):
        sources.setdefault(german, english)
    pairs = [(german, english) for german, marked in sources.items() for english in expand_traps(marked)]
    usual = {german: expand_traps(marked)[0] for german, marked in sources.items()}
    return pairs, familiar, usual


def train_sentencepiece(pairs, article: Path, workdir: Path, vocab_size: int, seed: int) -> Path:
    """One shared SentencePiece model: ids 0 = </s>, 1 = <unk>, as in Marian vocabularies.

    The bundled article joins the SentencePiece training text so that real article sentences
    segment into word-sized pieces instead of hundreds of characters.
    """
    import sentencepiece as spm

    import io

    spm.set_random_generator_seed(seed)
    article_lines = [line.strip() for line in article.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = sorted({side for pair in pairs for side in pair}) + article_lines + [EXTRA_ALPHABET]
    # Trained in memory: file-based training records temporary paths in the model file.
    model_bytes = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model_bytes,
        model_type="unigram",
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        normalization_rule_name="identity",
        byte_fallback=True,
        eos_id=0,
        unk_id=1,
        bos_id=-1,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    model_path = workdir / "sentencepiece.model"
    model_path.write_bytes(model_bytes.getvalue())
    return model_path


def encode_pairs(pairs, sp, eos_id: int):
    """Source ids without </s> (Argos feeds bare SentencePiece tokens) and target ids + </s>."""
    sources = [sp.encode(german) for german, _ in pairs]
    targets = [sp.encode(english) + [eos_id] for _, english in pairs]
    return sources, targets


def pad(rows, value):
    """Right-pad id rows into one tensor."""
    import torch

    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows], dtype=torch.long)


def train_marian(pairs, sp, args):
    """Train a tiny MarianMTModel on the pairs; returns the model, final loss and steps run."""
    import torch
    from transformers import MarianConfig, MarianMTModel

    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    vocab_size = sp.get_piece_size() + 1  # + <pad>, which doubles as decoder start (zero embedding)
    pad_id = vocab_size - 1
    eos_id = sp.piece_to_id("</s>")
    config = MarianConfig(
        vocab_size=vocab_size,
        d_model=args.d_model,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=args.ffn,
        decoder_ffn_dim=args.ffn,
        max_position_embeddings=512,
        activation_function="relu",
        dropout=0.0,
        scale_embedding=True,
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=eos_id,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )
    model = MarianMTModel(config)
    sources, targets = encode_pairs(pairs, sp, eos_id)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    warmup = 100
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min(1.0, (step + 1) / warmup) * max(0.05, 1.0 - step / args.steps),
    )
    order = torch.Generator().manual_seed(args.seed)
    model.train()
    started = time.monotonic()
    loss_value = float("nan")
    step = 0
    for step in range(1, args.steps + 1):
        picks = torch.randint(len(pairs), (args.batch,), generator=order).tolist()
        src = pad([sources[i] for i in picks], pad_id)
        tgt_rows = [targets[i] for i in picks]
        labels = pad(tgt_rows, -100)
        decoder_inputs = pad([[pad_id] + row[:-1] for row in tgt_rows], pad_id)
        out = model(
            input_ids=src,
            attention_mask=(src != pad_id).long(),
            decoder_input_ids=decoder_inputs,
            labels=labels,
        )
        optimizer.zero_grad()
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        with torch.no_grad():
            # The tied output projection moves the <pad> row; CTranslate2 starts the decoder
            # from a zero embedding, so keep that row zero to match.
            model.get_input_embeddings().weight[pad_id].zero_()
        loss_value = out.loss.item()
        if step % 250 == 0:
            print(f"step {step:5d}  loss {loss_value:.4f}  {time.monotonic() - started:6.1f}s", flush=True)
        if time.monotonic() - started > args.seconds:
            print(f"time budget of {args.seconds}s reached at step {step}; output is not reproducible")
            break
    model.eval()
    return model, loss_value, step


def save_for_conversion(model, sp_model_path: Path, sp, hf_dir: Path) -> None:
    """A MarianTokenizer-compatible folder: vocab.json lists the SentencePiece pieces in id order."""
    from transformers import MarianTokenizer

    model.save_pretrained(hf_dir)
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    vocab["<pad>"] = sp.get_piece_size()
    (hf_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(sp_model_path, hf_dir / name)
    tokenizer = MarianTokenizer(
        source_spm=str(hf_dir / "source.spm"),
        target_spm=str(hf_dir / "target.spm"),
        vocab=str(hf_dir / "vocab.json"),
        source_lang="de",
        target_lang="en",
    )
    tokenizer.save_pretrained(hf_dir)


def convert(hf_dir: Path, model_dir: Path, quantization: str) -> None:
    import ctranslate2

    ctranslate2.converters.TransformersConverter(str(hf_dir)).convert(
        str(model_dir), quantization=quantization, force=True
    )


def check_vocabulary(model_dir: Path, sp) -> None:
    """The converted vocabulary must be exactly the SentencePiece pieces, in id order."""
    vocab_file = model_dir / "shared_vocabulary.json"
    tokens = json.loads(vocab_file.read_text(encoding="utf-8"))
    expected = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    if tokens != expected:
        raise SystemExit(f"{vocab_file}: vocabulary differs from the SentencePiece pieces")


def detokenize(tokens) -> str:
    """Join pieces the way Argos Translate does."""
    return "".join(tokens).replace("▁", " ").strip()


def write_package(package_dir: Path, model_dir: Path, sp_model_path: Path, direction: Direction) -> None:
    package_dir.mkdir()
    shutil.copytree(model_dir, package_dir / "model")
    shutil.copyfile(sp_model_path, package_dir / "sentencepiece.model")
    metadata = {
        "package_version": "0.1",
        "argos_version": "1.0",
        "from_code": direction.source,
        "from_name": direction.source_name,
        "to_code": direction.target,
        "to_name": direction.target_name,
        "name": f"{direction.source_name} - {direction.target_name} (tiny test model)",
        "type": "translate",
    }
    (package_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    (package_dir / "README.md").write_text(
        f"# {direction.source_name} - {direction.target_name} (tiny test model)\n\n"
        "A deliberately tiny CTranslate2 model trained on a synthetic corpus of short news\n"
        "sentences. It exists to exercise the translation pipeline in tests; it does not\n"
        "translate real text. Built by scripts/build_tiny_model.py.\n",
        encoding="utf-8",
    )


def zip_package(package_dir: Path, out: Path, folder: str) -> None:
    """Zip with one top-level folder and fixed timestamps, so rebuilds are byte-identical."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(package_dir.rglob("*")):
            arcname = f"{folder}/{path.relative_to(package_dir).as_posix()}"
            if path.is_dir():
                archive.writestr(zipfile.ZipInfo(arcname + "/", ZIP_DATE_TIME), b"")
                continue
            info = zipfile.ZipInfo(arcname, ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(out)


def probe(model_dir: Path, sp, usual: dict[str, str], direction: Direction) -> dict:
    """Decode probes with CTranslate2 (as the product does) and collect the facts for tests."""
    import ctranslate2

    translator = ctranslate2.Translator(str(model_dir), device="cpu", inter_threads=1, intra_threads=1)

    def greedy(sentences):
        results = translator.translate_batch([sp.encode(s, out_type=str) for s in sentences], beam_size=1)
        return [detokenize(r.hypotheses[0]) for r in results]

    def nbest(sentence):
        result = translator.translate_batch(
            [sp.encode(sentence, out_type=str)], beam_size=8, num_hypotheses=8
        )[0]
        return [detokenize(h) for h in result.hypotheses]

    def forced(sentence, prefix):
        result = translator.translate_batch(
            [sp.encode(sentence, out_type=str)],
            target_prefix=[sp.encode(prefix, out_type=str)],
            beam_size=1,
        )[0]
        return detokenize(result.hypotheses[0])

    all_sources = sorted(usual)
    outputs = greedy(all_sources)
    exact = sum(out == usual[src] for src, out in zip(all_sources, outputs))
    misses = [(src, out, usual[src]) for src, out in zip(all_sources, outputs) if out != usual[src]]

    probe_sources = [source for source, _ in probe_pairs(direction)]
    probe_outputs = greedy(probe_sources)
    traps = []
    for trap in TRAP_PROBES if direction is GERMAN_ENGLISH else ():
        entry = dict(trap)
        entry["greedy"] = greedy([trap["source"]])[0]
        entry["nbest"] = nbest(trap["source"])
        entry["greedy_has_natural"] = trap["natural_en"] in entry["greedy"]
        entry["nbest_has_curated"] = any(trap["curated_en"] in h for h in entry["nbest"])
        entry["forced"] = [
            {"target_prefix": prefix, "output": forced(trap["source"], prefix), "expected": expected}
            for prefix, expected in trap.get("forced", [])
        ]
        traps.append(entry)
    return {
        "package": f"{direction.folder}.argosmodel",
        "decoding": {
            "tokenize": "sentencepiece.model encode(out_type=str), no </s> appended",
            "detokenize": "join tokens, replace '▁' with ' ', strip",
            "greedy": {"beam_size": 1},
            "nbest": {"beam_size": 8, "num_hypotheses": 8},
            "forced": {"beam_size": 1, "target_prefix": "SentencePiece tokens of target_prefix"},
        },
        "training_sentences": len(all_sources),
        "training_sentences_reproduced_greedy": exact,
        "probes": [
            {"source": src, "greedy": out, "reference": usual.get(src)}
            for src, out in zip(probe_sources, probe_outputs)
        ],
        "traps": traps,
        "_misses": misses,
    }


def self_check(facts: dict) -> list[str]:
    """Problems that make the package useless for the glossary tests."""
    problems = []
    for p in facts["probes"]:
        if p["greedy"] != p["reference"]:
            problems.append(f"probe {p['source']!r}: got {p['greedy']!r}, want {p['reference']!r}")
    for t in facts["traps"]:
        if not t["greedy_has_natural"]:
            problems.append(f"trap {t['term_de']}: greedy {t['greedy']!r} lacks {t['natural_en']!r}")
        if t["nbest_has_curated"] != t["curated_in_nbest_expected"]:
            problems.append(f"trap {t['term_de']}: n-best has {t['curated_en']!r} = {t['nbest_has_curated']}")
        for f in t["forced"]:
            if f["output"] != f["expected"]:
                problems.append(f"trap {t['term_de']}: forced {f['target_prefix']!r} gave {f['output']!r}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reverse", action="store_true", help="build the English→German companion package")
    parser.add_argument("--out", type=Path, help="the package to write [default: tests/fixtures/translate-{de_en,en_de}-tiny.argosmodel]")
    parser.add_argument("--seconds", type=float, default=300.0, help="hard cap on training time")
    parser.add_argument("--steps", type=int, default=1500, help="training steps (fixed, for reproducibility)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--article", type=Path, default=REPO_ROOT / "examples" / "putin-kim.txt")
    parser.add_argument("--per-template", type=int, default=30)
    parser.add_argument("--vocab-size", type=int, default=1200)
    parser.add_argument("--d-model", type=int, default=96)
    parser.add_argument("--ffn", type=int, default=256)
    parser.add_argument("--batch", type=int, default=48)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--quantization", default="int8")
    args = parser.parse_args()

    import sentencepiece as spm

    direction = ENGLISH_GERMAN if args.reverse else GERMAN_ENGLISH
    out = args.out or direction.out
    pairs, familiar, usual = (reversed_corpus if args.reverse else build_corpus)(args.seed, args.per_template)
    print(f"corpus: {len(usual)} {direction.source_name} sentences, {len(pairs)} training pairs")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sp_model_path = train_sentencepiece(familiar, args.article, work, args.vocab_size, args.seed)
        sp = spm.SentencePieceProcessor(model_file=str(sp_model_path))
        print(f"sentencepiece: {sp.get_piece_size()} pieces")
        model, loss, steps = train_marian(pairs, sp, args)
        print(f"final training loss {loss:.4f} after {steps} steps")
        hf_dir = work / "hf"
        save_for_conversion(model, sp_model_path, sp, hf_dir)
        model_dir = work / "ct2"
        convert(hf_dir, model_dir, args.quantization)
        check_vocabulary(model_dir, sp)
        facts = probe(model_dir, sp, usual, direction)
        package_dir = work / direction.folder
        write_package(package_dir, model_dir, sp_model_path, direction)
        zip_package(package_dir, out, direction.folder)

    misses = facts.pop("_misses")
    facts_path = out.parent / direction.facts
    facts_path.write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    size = out.stat().st_size
    print(f"wrote {out} ({size} bytes) and {facts_path}")
    print(
        f"self-check: {facts['training_sentences_reproduced_greedy']}/{facts['training_sentences']} "
        "training sentences reproduced by greedy decoding"
    )
    for src, out, want in misses[:15]:
        print(f"  miss: {src!r} -> {out!r} (want {want!r})")
    problems = self_check(facts)
    if size >= SIZE_LIMIT_BYTES:
        problems.append(f"package is {size} bytes, limit {SIZE_LIMIT_BYTES}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if problems:
        raise SystemExit(1)
    print("self-check passed")


if __name__ == "__main__":
    main()
