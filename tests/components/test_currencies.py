"""``tipx.resources.currencies``: the currency table and ``normalize_amount``."""
from __future__ import annotations

import json

import pycountry
import pytest

from tipx.resources.currencies import (
    CITIES_FILE,
    DEMONYMS_FILE,
    FORMS_FILE,
    NON_CURRENCY_CODES,
    currency_table,
    normalize_amount,
    parse_number,
)


def one(value, code):
    return {"value": value, "min": value, "max": value, "currency": code}


def rng(lo, hi, code):
    return {"value": None, "min": lo, "max": hi, "currency": code}


@pytest.mark.parametrize("text, expected", [
    ("$400", one(400.0, "USD")),
    ("$1,900", one(1900.0, "USD")),
    ("US$ 2,500", one(2500.0, "USD")),
    ("USD 2,500", one(2500.0, "USD")),
    ("2,500 USD", one(2500.0, "USD")),
    ("USD1,000", one(1000.0, "USD")),
    ("2,000 tenge", one(2000.0, "KZT")),
    ("150 to 200 som", rng(150.0, 200.0, "KGS")),
    ("$50 to $100", rng(50.0, 100.0, "USD")),
    ("$50-$100", rng(50.0, 100.0, "USD")),
    ("1.5 million naira", one(1_500_000.0, "NGN")),
    ("KD 500", one(500.0, "KWD")),
    ("EUR 40,000", one(40_000.0, "EUR")),
    ("40,000 euros", one(40_000.0, "EUR")),
    ("15,000 rubles", one(15_000.0, "RUB")),
    ("RUR 15,000", one(15_000.0, "RUB")),
    ("S$2,900", one(2900.0, "SGD")),
    ("R$ 1.200", one(1200.0, "BRL")),
    ("50 dollars", one(50.0, "USD")),
    ("300,000 soums", one(300_000.0, "UZS")),
    ("5,000 SOM", one(5000.0, "KGS")),
    ("GH¢ 60 and GH¢ 100", rng(60.0, 100.0, "GHS")),
    ("NT$2,000 to 3,000", rng(2000.0, 3000.0, "TWD")),
    ("IQD 1 to 3 million", rng(1_000_000.0, 3_000_000.0, "IQD")),
    ("800,000 to 1.2 million kyat", rng(800_000.0, 1_200_000.0, "MMK")),
    ("1.5-2 million naira", rng(1_500_000.0, 2_000_000.0, "NGN")),
    ("$1.5m", one(1_500_000.0, "USD")),
    ("$10k", one(10_000.0, "USD")),
    ("fifty dollars", one(50.0, "USD")),
    ("twenty-five euros", one(25.0, "EUR")),
    ("two million pesos", one(2_000_000.0, None)),
    ("1.000,50 euros", one(1000.5, "EUR")),
    ("1,5 million euros", one(1_500_000.0, "EUR")),
    ("$2.60", one(2.6, "USD")),
    ("5,000/- rupees", one(5000.0, None)),
    ("50 cents", one(0.5, "USD")),
    ("30 dirams", one(0.3, "TJS")),
    ("200 bolivares fuertes", one(200.0, "VEF")),
    ("CYP 500", one(500.0, "CYP")),
])
def test_normalize_amount(text, expected):
    assert normalize_amount(text) == expected


@pytest.mark.parametrize("text, code", [
    ("1,500 Argentine pesos", "ARS"),
    ("60,000 Sri Lankan rupees", "LKR"),
    ("1,500 Trinidad dollars", "TTD"),
    ("10 Kuwaiti dinars", "KWD"),
    ("500 U.S. dollars", "USD"),
    ("400 US dollars", "USD"),
    ("Somali Shillings 100,000", "SOS"),
    ("20,000 Saudi riyals", "SAR"),
])
def test_qualifier_picks_the_currency(text, code):
    assert normalize_amount(text)["currency"] == code


@pytest.mark.parametrize("text, country, code", [
    ("Rs. 20,000", None, None),
    ("Rs. 20,000", "PK", "PKR"),
    ("Rs. 20,000", "in", "INR"),
    ("1,000 dinars", None, None),
    ("1,000 dinars", "JO", "JOD"),
    ("10,000 CFA francs", None, None),
    ("10,000 CFA francs", "SN", "XOF"),
    ("10,000 CFA francs", "CM", "XAF"),
    ("100 som", None, "KGS"),
    ("100 som", "UZ", "UZS"),
    ("1,000 dirhams", None, "AED"),
    ("1,000 dirhams", "MA", "MAD"),
    ("$400", "SG", "USD"),  # "$" is read as US dollars in US reporting whatever the country
])
def test_ambiguous_forms_and_country_hint(text, country, code):
    assert normalize_amount(text, country=country)["currency"] == code


def test_dot_thousands_and_three_decimal_currencies():
    assert normalize_amount("KD 1.500") == one(1.5, "KWD")  # the dinar has three decimals
    assert normalize_amount("R$ 1.200.000") == one(1_200_000.0, "BRL")
    assert parse_number("1.250", scaled=True) == 1.25  # "1.250 million"
    assert parse_number("1,900") == 1900.0
    assert parse_number("0,5") == 0.5


def test_lakh_range():
    assert normalize_amount("Rs. 4 to 6 lakh", country="IN") == rng(400_000.0, 600_000.0, "INR")


def test_no_number():
    assert normalize_amount("a few dollars") == {"value": None, "min": None, "max": None, "currency": "USD"}
    assert normalize_amount("nothing here") == {"value": None, "min": None, "max": None, "currency": None}


def test_every_iso_currency_is_read():
    table = currency_table()
    for cur in pycountry.currencies:
        if cur.alpha_3 in NON_CURRENCY_CODES:
            continue
        assert table.reading_of(cur.alpha_3).default == cur.alpha_3


def test_team_forms_name_real_codes():
    forms = json.loads(FORMS_FILE.read_text(encoding="utf-8"))
    known = {c.alpha_3 for c in pycountry.currencies} | {
        v for k, v in forms["historic_codes"].items() if not k.startswith("_")} | set(forms["historic_codes"])
    for section in ("signs", "abbreviations", "words"):
        for form, value in forms[section].items():
            if isinstance(value, str):
                codes = [value]
            elif isinstance(value, list):
                codes = value
            else:
                codes = [value["default"], *value["candidates"]]
            for code in codes:
                assert code is None or code in known, f"{section}: {form!r} -> {code!r} is not an ISO 4217 code"


def test_demonyms_and_cities_use_country_codes():
    alpha2 = {c.alpha_2 for c in pycountry.countries} | {"XK"}
    demonyms = json.loads(DEMONYMS_FILE.read_text(encoding="utf-8"))
    codes = [k for k in demonyms if not k.startswith("_")]
    assert len(codes) >= 200
    assert set(codes) <= alpha2
    cities = json.loads(CITIES_FILE.read_text(encoding="utf-8"))
    assert set(cities["cities"]) <= alpha2
    assert set(cities["country_aliases"]) <= alpha2
    assert sum(len(v) for v in cities["cities"].values()) >= 300
