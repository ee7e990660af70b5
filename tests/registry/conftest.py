"""The registry's TrainingRegistryService, reached over gRPC, for the training tests of this folder."""

from __future__ import annotations

import pytest

from tests.registry.training_helpers import training_stub


@pytest.fixture
async def training(registry):
    async with training_stub(registry.address) as stub:
        yield stub
