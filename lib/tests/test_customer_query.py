import pytest

from lib import customer_query as cq


def test_defaults():
    query = cq.parse({})
    assert query.ok
    assert (query.limit, query.page, query.offset) == (20, 1, 0)
    assert query.domain == []
    assert query.order == "id asc"


def test_paging_and_order():
    query = cq.parse({"limit": "50", "page": "3", "order": "DESC", "order_by": "name"})
    assert query.ok, query.errors
    assert (query.limit, query.page, query.offset) == (50, 3, 100)
    assert query.order == "name desc, id desc"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": "abc"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"id": "abc"}, "id"),
        ({"id": "0"}, "id"),
        ({"order": "sideways"}, "order"),
        ({"order_by": "password"}, "order_by"),
        ({"order_by": "id; DROP TABLE res_partner"}, "order_by"),
        ({"order_by": "name desc, (select 1)"}, "order_by"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b.c' OR 1=1 --"}, "email"),
        ({"mobile_no": "john"}, "mobile_no"),
        ({"name": "x" * 300}, "name"),
    ],
)
def test_errors(params, field):
    query = cq.parse(params)
    assert not query.ok
    assert field in query.errors
    assert isinstance(query.errors[field], str) and query.errors[field]


def test_limit_bounds():
    assert cq.parse({"limit": "200"}).limit == 200
    assert cq.parse({"limit": "1"}).limit == 1


def test_filters_domain():
    query = cq.parse({"id": "7", "name": "Ann", "email": "Ann@Example.com"})
    assert query.ok
    assert query.domain == [
        ("id", "=", 7),
        ("name", "ilike", "Ann"),
        ("email", "=ilike", "Ann@Example.com"),
    ]


def test_like_wildcards_are_escaped():
    query = cq.parse({"name": "100%_off\\", "email": "first_last@example.com"})
    assert query.ok
    assert ("name", "ilike", "100\\%\\_off\\\\") in query.domain
    assert ("email", "=ilike", "first\\_last@example.com") in query.domain


def test_mobile_no_domain_on_both_columns():
    query = cq.parse({"mobile_no": "0470/12.34.56"}, default_region="BE")
    assert query.ok
    assert query.number_keys == ["+32470123456"]
    assert query.domain == [
        "|",
        ("dcx_mobile_e164", "in", ["+32470123456"]),
        ("dcx_phone_e164", "in", ["+32470123456"]),
    ]


def test_mobile_no_without_reading_matches_nothing():
    query = cq.parse({"mobile_no": "12"}, default_region="BE")
    assert query.ok
    assert query.domain == cq.FALSE_DOMAIN


def test_list_values_take_the_first():
    query = cq.parse({"limit": ["5", "7"], "name": ["a"]})
    assert query.limit == 5
    assert query.values["name"] == "a"


def test_unknown_params_are_ignored_and_blank_values_skipped():
    query = cq.parse({"foo": "bar", "name": "  ", "_": "123"})
    assert query.ok
    assert query.domain == []


def test_escape_like_and_is_email():
    assert cq.escape_like("a%b_c\\") == "a\\%b\\_c\\\\"
    assert cq.is_email("jane.doe+x@example.co.uk")
    assert not cq.is_email("jane@@example.com")
    assert not cq.is_email("jane doe@example.com")
    assert not cq.is_email(None)
