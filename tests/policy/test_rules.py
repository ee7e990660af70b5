import pytest

from services.policy.access import is_allowed
from services.policy.rules import make_rule, parse_network
from services.runtime.errors import InvalidArgument


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
        ("::ffff:203.0.113.7", "203.0.113.7/32"),
        ("::ffff:c000:200/120", "192.0.2.0/24"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("10.0.0.0/8", "10.0.0.0/8"),
    ],
)
def test_ipv4_mapped_networks_become_the_ipv4_network_they_map(given, stored):
    assert str(parse_network(given)) == stored


@pytest.mark.parametrize("caller", ["10.1.2.3", "::ffff:10.1.2.3"])
def test_a_rule_in_mapped_form_matches_ipv4_callers_either_way(caller):
    rules = (make_rule("::ffff:10.0.0.0/104"),)
    assert is_allowed(rules, caller)
    assert not is_allowed(rules, "11.0.0.1")


def test_host_bits_in_mapped_form_are_still_refused():
    with pytest.raises(InvalidArgument, match="host bits"):
        parse_network("::ffff:10.0.0.1/104")
