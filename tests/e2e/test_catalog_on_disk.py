"""A gateway restarted while the registry is down serves formal APIs from the catalog it kept on
disk, instead of answering 404 for every inference URL."""

from __future__ import annotations

from services.gateway.app_keys import RUNTIME
from services.gateway.serving.catalog_file import CatalogFile
from tests.e2e.test_lifecycle import act
from tests.e2e.test_nnc_errors import VECTOR
from tests.polling import eventually
from tests.scheduler.onnx_models import affine_model
from tests.urls import path_of
from torii.v1 import apis_pb2


async def test_a_gateway_restarted_without_its_registry_serves_the_apis_it_saw(platform, start_gateway):
    kept = await platform.publish(affine_model(4, scale=2.0, bias=0.0))
    deleted = await platform.publish(affine_model(4, scale=3.0, bias=0.0))
    await act(platform, deleted, "stop")
    await platform.wait_for_status(deleted["api_id"], "stopped")
    response = await platform.client.delete(f"/manage/v1/apis/{deleted['api_id']}", headers=platform.admin)
    assert response.status == 204, await response.text()
    catalog_file = platform.gateway.settings.data_dir / "gateway" / "catalog.pb"

    def saved() -> dict[str, str]:
        """The status of each API the gateway saved, by id."""
        restored = CatalogFile(catalog_file).load()
        return {} if restored is None else {api_id: item.api.status for api_id, item in restored[0].items()}

    await eventually(
        saved,
        lambda statuses: statuses == {kept["api_id"]: apis_pb2.API_STATUS_RUNNING},
        timeout_s=20,
        interval_s=0.1,
        what="the gateway to write its catalog with only the kept API, running",
    )
    assert catalog_file.stat().st_mode & 0o777 == 0o600

    cut_off = await start_gateway(
        data_dir=platform.gateway.settings.data_dir,
        registry_address="127.0.0.1:1",  # nothing listens there: the registry is down
        triton_addresses=[platform.triton_address],
        rpc_timeout_s=1,
    )
    catalog = cut_off.client.app[RUNTIME].catalog
    await eventually(  # the process listens once it has restored it
        lambda: catalog.find(path_of(kept["url"])),
        lambda endpoint: endpoint is not None,
        timeout_s=20,
        interval_s=0.02,
        what="the restarted gateway to restore its catalog",
    )
    answer = await cut_off.client.post(
        path_of(kept["url"]),
        json={"executor": "Executor", "inputs": VECTOR},
        headers={"x-api-key": platform.keys[kept["api_id"]]},
    )
    body = await answer.json()
    assert answer.status == 200, body
    assert body["outputs"][0]["data"] == "2.0, 4.0, 6.0, 8.0"
    refused = await cut_off.client.post(
        path_of(kept["url"]), json={"executor": "Executor", "inputs": VECTOR}, headers={"x-api-key": "wrong"}
    )
    assert refused.status == 403
    gone = await cut_off.client.post(
        path_of(deleted["url"]),
        json={"executor": "Executor", "inputs": VECTOR},
        headers={"x-api-key": platform.keys[deleted["api_id"]]},
    )
    assert gone.status == 404
    assert (await cut_off.client.get("/readyz")).status == 503
