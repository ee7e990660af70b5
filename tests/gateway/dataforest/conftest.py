from tests.gateway.dataforest.ncp_client import ncp  # noqa: F401  (the fixture, for every module here)
