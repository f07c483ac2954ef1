"""German transliteration of Cyrillic names → the spelling English news uses (none of these names is in the bundled article)."""

from __future__ import annotations

import pytest

from dolmetsch.terms.transliterate import (
    RUSSIAN,
    UKRAINIAN,
    Transliterator,
    cyrillic_candidates,
    romanise,
)

# German news spelling (dpa/ORF) → established English spelling (Reuters/AP/BBC; Ukrainian places as
# in Ukraine's national romanisation, which AP, Reuters and BBC adopted).
ESTABLISHED_ENGLISH = [
    # Russian persons
    ("Sergej Lawrow", "Sergei Lavrov"),
    ("Alexej Nawalny", "Alexei Navalny"),
    ("Julia Nawalnaja", "Yulia Navalnaya"),
    ("Dmitri Medwedew", "Dmitry Medvedev"),
    ("Michail Gorbatschow", "Mikhail Gorbachev"),
    ("Nikita Chruschtschow", "Nikita Khrushchev"),
    ("Boris Jelzin", "Boris Yeltsin"),
    ("Leonid Breschnew", "Leonid Brezhnev"),
    ("Sergej Sobjanin", "Sergei Sobyanin"),
    ("Waleri Gergijew", "Valery Gergiev"),
    ("Ramsan Kadyrow", "Ramzan Kadyrov"),
    ("Wladimir Schirinowski", "Vladimir Zhirinovsky"),
    ("Maria Sacharowa", "Maria Zakharova"),
    ("Anna Politkowskaja", "Anna Politkovskaya"),
    ("Michail Chodorkowski", "Mikhail Khodorkovsky"),
    ("Sergej Rjabkow", "Sergei Ryabkov"),
    ("Wassili Nebensja", "Vasily Nebenzya"),
    ("Waleri Gerassimow", "Valery Gerasimov"),
    ("Elwira Nabiullina", "Elvira Nabiullina"),
    ("Igor Setschin", "Igor Sechin"),
    ("Juri Uschakow", "Yuri Ushakov"),
    ("Nikolai Patruschew", "Nikolai Patrushev"),
    ("Alexander Bortnikow", "Alexander Bortnikov"),
    ("Sergej Naryschkin", "Sergei Naryshkin"),
    ("Jewgeni Prigoschin", "Yevgeny Prigozhin"),
    # Russian places
    ("Nowosibirsk", "Novosibirsk"),
    ("Jaroslawl", "Yaroslavl"),
    ("Nischni Nowgorod", "Nizhny Novgorod"),
    ("Tscheljabinsk", "Chelyabinsk"),
    ("Woronesch", "Voronezh"),
    ("Uljanowsk", "Ulyanovsk"),
    ("Brjansk", "Bryansk"),
    ("Kertsch", "Kerch"),
    # Ukrainian persons and places
    ("Wolodymyr Selenskyj", "Volodymyr Zelensky"),
    ("Petro Poroschenko", "Petro Poroshenko"),
    ("Viktor Janukowytsch", "Viktor Yanukovych"),
    ("Walerij Saluschnyj", "Valerii Zaluzhnyi"),
    ("Denys Schmyhal", "Denys Shmyhal"),
    ("Oleksandr Syrskyj", "Oleksandr Syrskyi"),
    ("Ruslan Stefantschuk", "Ruslan Stefanchuk"),
    ("Vitali Klitschko", "Vitali Klitschko"),
    ("Charkiw", "Kharkiv"),
    ("Lwiw", "Lviv"),
    ("Saporischschja", "Zaporizhzhia"),
    ("Mykolajiw", "Mykolaiv"),
    ("Tschernihiw", "Chernihiv"),
    ("Schytomyr", "Zhytomyr"),
    ("Winnyzja", "Vinnytsia"),
    ("Bachmut", "Bakhmut"),
    ("Awdijiwka", "Avdiivka"),
    ("Cherson", "Kherson"),
    ("Uschhorod", "Uzhhorod"),
    ("Iwano-Frankiwsk", "Ivano-Frankivsk"),
    ("Krywyj Rih", "Kryvyi Rih"),
    ("Poltawa", "Poltava"),
    ("Tscherkassy", "Cherkasy"),
    # Belarusian persons (English news keeps the Russian form, or the bearer's own spelling)
    ("Alexander Lukaschenko", "Alexander Lukashenko"),
    ("Swetlana Tichanowskaja", "Sviatlana Tsikhanouskaya"),
    ("Roman Protassewitsch", "Roman Protasevich"),
]

NOT_CYRILLIC = [
    "Olaf Scholz", "Helmut Schmidt", "Richard Wagner", "Winfried Kretschmann", "Erwin Schrödinger",
    "Adrienne Watson", "Boris Johnson", "Antony Blinken", "Emmanuel Macron", "Robert Lewandowski",
    "Xi Jinping", "Wang Yi", "Li Qiang", "Hu Jintao", "Kim Jong Un", "Pankow", "Paul Krisai",
]


@pytest.fixture(scope="module")
def transliterator() -> Transliterator:
    return Transliterator()


def test_the_table_is_large_enough():
    assert len(ESTABLISHED_ENGLISH) >= 40
    assert len({german for german, _ in ESTABLISHED_ENGLISH}) == len(ESTABLISHED_ENGLISH)


@pytest.mark.parametrize("german, english", ESTABLISHED_ENGLISH)
def test_cyrillic_names_get_their_established_english_spelling(transliterator, german, english):
    result = transliterator.romanise_name(german)
    assert result is not None, f"{german} was not recognised as a Cyrillic name"
    assert result.english == english


@pytest.mark.parametrize("name", NOT_CYRILLIC)
def test_german_english_chinese_and_korean_names_are_left_alone(transliterator, name):
    assert transliterator.romanise_name(name) is None


@pytest.mark.parametrize("german, english", [("Sewastopol", "Sevastopol"), ("Jalta", "Yalta")])
def test_weak_evidence_leaves_a_name_alone_unless_forced(transliterator, german, english):
    assert transliterator.romanise_name(german) is None
    assert transliterator.romanise_name(german, force=True).english == english


@pytest.mark.parametrize(
    "cyrillic, english",
    [
        ("Дмитрий", "Dmitry"),  # -ий → -y
        ("Восточный", "Vostochny"),  # -ый → -y, ч → ch
        ("Сергей", "Sergei"),  # final й after е → i
        ("Николай", "Nikolai"),
        ("Толстой", "Tolstoy"),  # final й after о → y
        ("Шойгу", "Shoigu"),  # й before a consonant → i
        ("Майя", "Maya"),  # й before a vowel → y
        ("Ельцин", "Yeltsin"),  # initial е → ye
        ("Дмитриев", "Dmitriev"),  # е after и → e
        ("Сергеев", "Sergeyev"),  # е after another vowel → ye
        ("Горбачёв", "Gorbachev"),  # ё after ч → e
        ("Пётр", "Pyotr"),  # ё elsewhere → yo
        ("Мария", "Maria"),  # final -ия → -ia
        ("Ульяновск", "Ulyanovsk"),  # ь dropped, я → ya
        ("Хрущёв", "Khrushchev"),  # х → kh, щ → shch
        ("Жуков", "Zhukov"),  # ж → zh
        ("Цой", "Tsoy"),  # ц → ts
        ("Эльвира", "Elvira"),  # э → e
    ],
)
def test_russian_romanisation_rules(cyrillic, english):
    assert romanise(cyrillic, RUSSIAN) == english


@pytest.mark.parametrize(
    "cyrillic, english",
    [
        ("Київ", "Kyiv"),  # и → y, ї → i inside a word
        ("Їжакевич", "Yizhakevych"),  # ї → yi at the start
        ("Харків", "Kharkiv"),  # х → kh, і → i
        ("Запоріжжя", "Zaporizhzhia"),  # я → ia inside a word
        ("Яготин", "Yahotyn"),  # я → ya at the start, г → h
        ("Згурівка", "Zghurivka"),  # зг → zgh
        ("Єнакієве", "Yenakiieve"),  # є → ye at the start, ie inside
        ("Юрій", "Yurii"),  # ю → yu at the start, й → i inside
        ("Ґорґани", "Gorgany"),  # ґ → g
    ],
)
def test_ukrainian_national_romanisation_rules(cyrillic, english):
    assert romanise(cyrillic, UKRAINIAN) == english


@pytest.mark.parametrize(
    "german, readings",
    [
        ("Koslow", {"козлов", "кослов"}),  # s is с or з
        ("Schukow", {"жуков", "шуков"}),  # sch is ш or ж
        ("Dmitri", {"дмитрий", "дмитри"}),  # a final i is ий or и
        ("Gorbatschow", {"горбачёв", "горбачов"}),  # o after tsch is о or ё
    ],
)
def test_german_spelling_is_read_back_into_every_cyrillic_spelling_it_can_stand_for(german, readings):
    assert readings <= set(cyrillic_candidates(german, RUSSIAN))


def test_letters_german_transliteration_never_writes_give_no_reading():
    assert cyrillic_candidates("Müller") == []
    assert cyrillic_candidates("Qiang") == []


def test_the_word_list_decides_between_readings():
    """Koslow is Kozlov because Козлов is a Russian word and Кослов is not; with a word list that
    says the opposite the rules' other reading wins."""
    favour = {"козлов": 4.0, "кослов": 0.0}
    usual = Transliterator(lambda word, language: favour.get(word, 0.0) if language == RUSSIAN else 0.0)
    assert usual.romanise_name("Koslow", force=True).english == "Kozlov"
    favour = {"козлов": 0.0, "кослов": 4.0}
    reversed_list = Transliterator(lambda word, language: favour.get(word, 0.0) if language == RUSSIAN else 0.0)
    assert reversed_list.romanise_name("Koslow", force=True).english == "Koslov"


def test_established_spellings_override_the_rules_and_say_so(transliterator):
    result = transliterator.romanise_name("Wolodymyr Selenskyj")
    assert result.english == "Volodymyr Zelensky"
    assert result.language == UKRAINIAN
    assert "Zelensky" in result.established or "BBC" in result.established


def test_the_rules_own_reading_is_offered_as_an_alternative(transliterator):
    result = transliterator.romanise_name("Juri Uschakow")
    assert result.english == "Yuri Ushakov"
    assert "Yury Ushakov" in result.alternatives


def test_evidence_names_its_reasons(transliterator):
    evidence = transliterator.cyrillic_evidence("Peskow")
    assert evidence.score >= 2
    assert "ending -ow/-ew" in evidence.reasons
    assert transliterator.cyrillic_evidence("Kretschmann").score < 2


def test_acronyms_in_a_name_stay_as_written(transliterator):
    assert transliterator.romanise_name("RIA Nowosti").english == "RIA Novosti"


@pytest.mark.parametrize(
    "german, language, likeliest",
    [
        ("Aeroflot", RUSSIAN, "аэрофлот"),  # e after a vowel: э before е in Russian
        ("Ekaterinburg", RUSSIAN, "экатеринбург"),  # initial e: э first
        ("Schoigu", RUSSIAN, "шойгу"),  # sch: ш before ж; i after a vowel before a consonant: й
        ("Charkiw", UKRAINIAN, "харків"),  # Ukrainian i: і first
    ],
)
def test_the_table_orders_each_rows_spellings_most_likely_first(german, language, likeliest):
    assert cyrillic_candidates(german, language)[0] == likeliest
