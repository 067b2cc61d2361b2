import pytest

from lib import phone

BE_MOBILE = "+32470123456"


@pytest.mark.parametrize(
    "raw",
    [
        "+32 470 12 34 56",
        "+32470123456",
        "0032470123456",
        "00 32 470 12 34 56",
        "0470/12.34.56",
        "0470 12 34 56",
        "0470-12-34-56",
        "0470123456",
        "32470123456",
        "+32 (0)470 12 34 56",
        " +32-470-12-34-56 ",
        "+32 470 12 34 56 ext. 12",
    ],
)
def test_all_writings_of_a_belgian_mobile(raw):
    assert phone.normalize_number(raw, "BE") == BE_MOBILE
    assert BE_MOBILE in phone.lookup_keys(raw, "BE")


@pytest.mark.parametrize(
    "raw", ["+32 470 12 34 56", "0032470123456", "32470123456", "0032 470-12-34-56"]
)
def test_international_writings_without_default_region(raw):
    assert phone.normalize_number(raw) == BE_MOBILE
    assert phone.lookup_keys(raw, None) == [BE_MOBILE]


def test_national_writing_needs_the_region():
    assert phone.normalize_number("0470/12.34.56", "FR") != BE_MOBILE
    assert phone.normalize_number("0470/12.34.56", "be") == BE_MOBILE
    assert phone.normalize_number("06 12 34 56 78", "FR") == "+33612345678"


def test_00_prefix_outside_europe_default_region():
    # the US dials 011, but "00" writings still mean international
    assert phone.lookup_keys("0032470123456", "US") == [BE_MOBILE]
    assert phone.normalize_number("011 32 470 12 34 56", "US") == BE_MOBILE


def test_bare_digits_keep_every_valid_reading():
    # 321 234 5678 is a valid US number (Florida) and, read as international
    # digits without "+", a valid Belgian landline (+32 12 34 56 78)
    assert phone.lookup_keys("3212345678", "US") == ["+13212345678", "+3212345678"]
    assert phone.normalize_number("3212345678", "US") == "+13212345678"
    # without a default region only the international reading exists
    assert phone.lookup_keys("3212345678") == ["+3212345678"]
    # a French number sent without "+" to a Belgian company
    assert phone.lookup_keys("33612345678", "BE") == ["+33612345678"]
    # a German mobile without "+" is not a valid British national number
    assert phone.lookup_keys("4915112345678", "GB") == ["+4915112345678"]


def test_invalid_but_possible_numbers_still_round_trip():
    key = phone.normalize_number("+1 555 555 1234")
    assert key == "+15555551234"
    assert phone.lookup_keys("001 555 555 1234", "BE") == [key]


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "abc",
        "+32 470 abc",
        "12+34",
        "++32470123456",
        "1" * 40,
        "x" * 100,
        True,
        3.14,
        "DROP TABLE res_partner;",
        "0470%",
    ],
)
def test_garbage_is_not_a_number(raw):
    assert phone.normalize_number(raw, "BE") is None
    assert phone.lookup_keys(raw, "BE") == []


def test_is_phone_like():
    assert phone.is_phone_like("0470/12.34.56")
    assert phone.is_phone_like(32470123456)
    assert not phone.is_phone_like("john")
    assert not phone.is_phone_like("1; drop")


def test_unknown_region_is_ignored():
    assert phone.normalize_number("+32470123456", "ZZ") == BE_MOBILE
    assert phone.normalize_number("0470123456", "nope") is None


def test_valid_reading_beats_a_merely_possible_one():
    # 33123456789 is "possible" as a Dutch national number but only valid as
    # a French number sent without "+"
    assert phone.normalize_number("33123456789", "NL") == "+33123456789"
    # a fictional US number (555-01xx) is valid for phonenumbers in the US
    assert phone.normalize_number("(202) 555-0143", "US") == "+12025550143"
    assert phone.lookup_keys("+1 202 555 0143", "BE") == ["+12025550143"]


def test_canonical_key_is_always_a_lookup_key():
    for raw, region in [
        ("0470/12.34.56", "BE"),
        ("32470123456", "BE"),
        ("2025550143", "US"),
        ("0612345678", "FR"),
        ("31612345678", "NL"),
        ("+1 555 555 1234", None),
    ]:
        assert phone.lookup_keys(raw, region)[0] == phone.normalize_number(raw, region)
