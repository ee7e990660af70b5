import pytest

from services.runtime.addresses import host_and_port


@pytest.mark.parametrize(
    ("address", "expected"),
    [("127.0.0.1:8001", ("127.0.0.1", 8001)), ("[::1]:8001", ("::1", 8001)), ("triton:8001", ("triton", 8001))],
)
def test_host_and_port(address, expected):
    assert host_and_port(address) == expected
