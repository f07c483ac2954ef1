"""Established English names for German exonyms: countries, languages, cities, regions, abbreviations.

The first source is CLDR (through Babel): territory names (Nordkorea → North Korea, Russland →
Russia), language names, which double as the adjectives German derives from them (russisch →
Russian), and the exemplar cities of the time-zone database (Moskau → Moscow, Pjöngjang →
Pyongyang, Wladiwostok → Vladivostok; English from CLDR's English names or the zone ID itself).
CLDR names only the cities that give a time zone its name, so the German exonyms of other places
are listed below, each with its source. Babel's data is loaded on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

CITY_EXONYMS: tuple[tuple[str, str], ...] = (
    # German exonyms of European cities that are no time-zone city in CLDR. German forms: StAGN
    # (Ständiger Ausschuss für geographische Namen), "Liste deutschsprachiger Exonyme"; English:
    # the UNGEGN list of country names and capitals and BBC/Reuters usage (St without a full stop).
    ("Mailand", "Milan"), ("Genf", "Geneva"), ("Den Haag", "The Hague"), ("Neapel", "Naples"),
    ("Venedig", "Venice"), ("Florenz", "Florence"), ("Genua", "Genoa"), ("München", "Munich"),
    ("Köln", "Cologne"), ("Nürnberg", "Nuremberg"), ("Hannover", "Hanover"), ("Antwerpen", "Antwerp"),
    ("Brügge", "Bruges"), ("Gent", "Ghent"), ("Lüttich", "Liège"), ("Löwen", "Leuven"),
    ("Straßburg", "Strasbourg"), ("Sevilla", "Seville"), ("Saragossa", "Zaragoza"),
    ("Krakau", "Krakow"), ("Danzig", "Gdansk"), ("Breslau", "Wroclaw"), ("Posen", "Poznan"),
    ("Pressburg", "Bratislava"), ("Saloniki", "Thessaloniki"), ("Nikosia", "Nicosia"),
    ("Sankt Petersburg", "St Petersburg"), ("St. Petersburg", "St Petersburg"),
    ("Peking", "Beijing"), ("Neu-Delhi", "New Delhi"),
)
REGION_EXONYMS: tuple[tuple[str, str], ...] = (
    # Regions, seas, rivers, mountains and seats of government (StAGN exonym list; English:
    # Encyclopaedia Britannica headwords and BBC usage).
    ("Kreml", "Kremlin"), ("Weißes Haus", "White House"), ("Krim", "Crimea"), ("Kaukasus", "Caucasus"),
    ("Sibirien", "Siberia"), ("Ural", "Urals"), ("Balkan", "Balkans"), ("Alpen", "Alps"),
    ("Donbass", "Donbas"), ("Tschetschenien", "Chechnya"), ("Bayern", "Bavaria"), ("Sachsen", "Saxony"),
    ("Niedersachsen", "Lower Saxony"), ("Hessen", "Hesse"), ("Nordrhein-Westfalen", "North Rhine-Westphalia"),
    ("Tirol", "Tyrol"), ("Steiermark", "Styria"), ("Kärnten", "Carinthia"), ("Böhmen", "Bohemia"),
    ("Mähren", "Moravia"), ("Schlesien", "Silesia"), ("Katalonien", "Catalonia"), ("Sizilien", "Sicily"),
    ("Sardinien", "Sardinia"), ("Korsika", "Corsica"), ("Kreta", "Crete"), ("Schwarzes Meer", "Black Sea"),
    ("Rotes Meer", "Red Sea"), ("Ostsee", "Baltic Sea"), ("Nordsee", "North Sea"),
    ("Mittelmeer", "Mediterranean"), ("Ärmelkanal", "English Channel"), ("Donau", "Danube"),
    ("Rhein", "Rhine"), ("Weichsel", "Vistula"), ("Moldau", "Vltava"), ("Pazifik", "Pacific"),
    ("Atlantik", "Atlantic"), ("Arktis", "Arctic"), ("Persischer Golf", "Persian Gulf"),
    ("Gazastreifen", "Gaza Strip"), ("Westjordanland", "West Bank"), ("Golanhöhen", "Golan Heights"),
)
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    # German abbreviations whose English counterpart differs; English as BBC and Reuters write
    # them, without full stops (BBC News style guide, "Abbreviations"; Reuters Handbook).
    ("USA", "US"), ("UNO", "UN"), ("UdSSR", "USSR"), ("EZB", "ECB"), ("IWF", "IMF"), ("OSZE", "OSCE"),
    ("IAEO", "IAEA"), ("VAE", "UAE"), ("GUS", "CIS"), ("BRD", "FRG"), ("DDR", "GDR"),
)
COMPASS = (("nordost", "North-East"), ("nordwest", "North-West"), ("südost", "South-East"),
           ("südwest", "South-West"), ("nord", "North"), ("süd", "South"), ("ost", "East"), ("west", "West"))
"""German compass prefixes of place adjectives (nordkoreanisch) and their English (North Korean)."""


@dataclass(frozen=True)
class Exonym:
    english: str
    source: str
    confidence: float


class Exonyms:
    """Look-ups in CLDR and the tables above; Babel's data is read on the first look-up."""

    @cached_property
    def _cldr(self) -> tuple[dict[str, Exonym], dict[str, Exonym]]:
        from babel import Locale

        german, english = Locale("de"), Locale("en")
        names: dict[str, Exonym] = {}
        for zone, data in german.time_zones.items():
            city = data.get("city")
            if not city:
                continue
            english_data = english.time_zones.get(zone) or {}
            english_city = english_data.get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
            names.setdefault(city, Exonym(english_city, f"CLDR time-zone city {zone}", 0.9))
        for code, name in german.territories.items():
            if re.fullmatch(r"[A-Z]{2}", code) and code in english.territories:
                names[name] = Exonym(english.territories[code], f"CLDR territory {code}", 0.95)
        languages: dict[str, Exonym] = {}
        for code, name in german.languages.items():
            if code in english.languages and " " not in name and "_" not in code:
                languages.setdefault(name.lower(), Exonym(english.languages[code], f"CLDR language {code}", 0.9))
        return names, languages

    @cached_property
    def _tables(self) -> dict[str, Exonym]:
        found = {de: Exonym(en, "German exonym table (StAGN; BBC/Reuters English)", 0.9) for de, en in CITY_EXONYMS}
        found.update({de: Exonym(en, "region and landmark exonym table (StAGN; Britannica)", 0.9) for de, en in REGION_EXONYMS})
        found.update({de: Exonym(en, "abbreviation table (BBC/Reuters style)", 0.9) for de, en in ABBREVIATIONS})
        return found

    def name(self, german: str) -> Exonym | None:
        """The English of a German place, country or abbreviation written as in `german`."""
        return self._tables.get(german) or self._cldr[0].get(german)

    def territory_names(self) -> dict[str, Exonym]:
        return self._cldr[0]

    def language_adjective(self, adjective: str) -> Exonym | None:
        """English for a German adjective that is also a language name (russisch → Russian)."""
        return self._cldr[1].get(adjective.lower())

    def demonym(self, adjective: str) -> Exonym | None:
        """English for an adjective derived from a language, a compass point plus one, or a
        country or city CLDR names (nordkoreanisch → North Korean, südafrikanisch → South African)."""
        lemma = adjective.lower()
        direct = self.language_adjective(lemma)
        if direct:
            return direct
        for prefix, english_prefix in COMPASS:
            if lemma.startswith(prefix) and len(lemma) > len(prefix) + 3:
                rest = self.language_adjective(lemma[len(prefix):])
                if rest:
                    return Exonym(f"{english_prefix} {rest.english}", f"compass point + {rest.source}", 0.85)
        if not lemma.endswith("isch"):
            return None
        stem = lemma[: -len("isch")]
        for german, exonym in self.territory_names().items():
            place = german.lower()
            if len(place) >= 4 and stem.startswith(place) and len(stem) - len(place) <= 2:
                english = english_demonym(exonym.english)
                if english:
                    return Exonym(english, f"{exonym.source} + English demonym rule", 0.7)
        return None


def english_demonym(place: str) -> str | None:
    """The regular English demonym of a place name (Korea → Korean, Ukraine → Ukrainian), or None
    where English is irregular (Iraq → Iraqi, China → Chinese: those come from language names)."""
    if place.endswith("a"):
        return place + "n"
    if place.endswith("e"):
        return place[:-1] + "ian"
    if place.endswith("o"):
        return place[:-1] + "an"
    return None
