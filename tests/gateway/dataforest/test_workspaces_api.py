"""The AI workspace operations through the real gateway and registry, signed as NCP's samples sign:
every operation in JSON and XML, §6's rules answered before anything is stored, names unique per
account, the quota, other accounts, unknown ids, hostile XML and bodies over 1 MiB. (The runner
that starts containers is tested in tests/scheduler/workspaces and tests/e2e.)"""

from __future__ import annotations

import copy

from services.policy.base62_ids import to_base62
from tests.gateway.dataforest.ncp_client import NcpClient
from tests.gateway.raw_http import exchange

SEED_LIKE = {
    "configuration": {
        "data": {
            "input": [{"hdfs": "in/train.csv", "path": "/data/train.csv"}],
            "output": [{"hdfs": "out/model", "overwrite": True, "path": "/out"}],
        },
        "docker": {
            "command": "ls",
            "args": "-la",
            "image": "torii-python:3.11",
            "workdir": "/root/",
            "env": {"EPOCHS": "3"},
            "exposeTcpPorts": [8888],
        },
        "name": "test",
        "queueName": "gpu",
        "resource": {"cpuCount": 1, "gpuCount": 1, "gpuModel": "T4", "memoryMb": 1024},
        "userPackageUri": "string",
    },
    "description": "test",
    "name": "api-test",
}

XML_CREATE = """<?xml version="1.0" encoding="UTF-8"?>
<CreateAiWorkspaceRequest>
  <accountId>{account}</accountId>
  <configuration>
    <data>
      <input><hdfs>in/a.csv</hdfs><path>/data/a.csv</path></input>
      <output><hdfs>out/a</hdfs><overwrite>false</overwrite><path>/out</path></output>
    </data>
    <docker>
      <command>python3 -c 'print(1)'</command>
      <env><MODE>xml</MODE></env>
      <exposeTcpPorts>8000</exposeTcpPorts>
      <image>dataforest/torii-python:3.11</image>
    </docker>
    <queueName>cpu</queueName>
    <resource><cpuCount>2</cpuCount><memoryMb>512</memoryMb></resource>
  </configuration>
  <name>from-xml</name>
</CreateAiWorkspaceRequest>"""


async def _account(ncp) -> str:
    return (await (await ncp.post("/api/v2/accounts/getList")).json())["contents"][0]["id"]


async def _create(ncp, name: str = "api-test", **changes) -> tuple[int, dict]:
    body = copy.deepcopy(SEED_LIKE) | {"accountId": await _account(ncp), "name": name} | changes
    response = await ncp.post("/api/v2/aiworkspaces/create", body)
    return response.status, await response.json()


async def _total(ncp) -> int:
    return (await (await ncp.post("/api/v2/aiworkspaces/getList", {})).json())["total"]


async def test_every_operation_in_json(ncp):
    status, created = await _create(ncp)
    assert (status, set(created)) == (200, {"id", "success"}), created
    workspace_id = created["id"]
    assert created["success"] is True and 1 <= len(workspace_id) <= 22

    detail = await (await ncp.post("/api/v2/aiworkspaces/getDetail", {"id": workspace_id})).json()
    assert (detail["success"], detail["message"], detail["id"], detail["name"]) == (
        True,
        "success",
        workspace_id,
        "api-test",
    )
    assert (detail["accountName"], detail["accountId"], detail["imageVersion"]) == (
        "default",
        await _account(ncp),
        "3.11",
    )
    [current] = detail["contents"]
    assert current["configuration"]["docker"] == SEED_LIKE["configuration"]["docker"]
    assert current["configuration"]["resource"] == SEED_LIKE["configuration"]["resource"]
    assert current["configuration"]["data"] == SEED_LIKE["configuration"]["data"]
    assert detail["runtime"]["state"] == "PENDING"
    assert detail["createdAt"].endswith("Z") and len(detail["createdAt"]) == len("2023-05-15T02:23:55.752Z")

    listed = await (
        await ncp.post("/api/v2/aiworkspaces/getList", {"search": {"accountId": await _account(ncp)}})
    ).json()
    assert (listed["total"], listed["contents"][0]["id"], listed["contents"][0]["disabled"]) == (1, workspace_id, False)

    free = await (
        await ncp.post(
            "/api/v2/aiworkspaces/checkAvailableName", {"accountId": await _account(ncp), "name": "api-test"}
        )
    ).json()
    assert free == {"availableName": False, "message": "success", "success": True}

    changed = copy.deepcopy(SEED_LIKE["configuration"])
    changed["docker"]["command"] = "echo changed"
    response = await ncp.post("/api/v2/aiworkspaces/setConfiguration", {"id": workspace_id, "configuration": changed})
    assert await response.json() == {"id": workspace_id, "success": True}
    history = await (await ncp.post("/api/v2/aiworkspaces/getConfigurationList", {"id": workspace_id})).json()
    assert history["total"] == 2
    assert [item["configuration"]["docker"]["command"] for item in history["contents"]] == ["ls", "echo changed"]

    response = await ncp.post("/api/v2/aiworkspaces/delete", {"id": workspace_id})
    assert (response.status, await response.json()) == (200, {"id": workspace_id, "success": True})
    response = await ncp.post("/api/v2/aiworkspaces/getDetail", {"id": workspace_id})
    assert (response.status, await response.json()) == (404, {"message": "no such element", "success": False})
    assert await _total(ncp) == 0


async def test_every_operation_in_xml(ncp):
    account = await _account(ncp)
    response = await ncp.post("/api/v2/aiworkspaces/create", XML_CREATE.format(account=account).encode(), xml=True)
    text = await response.text()
    assert response.status == 200, text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?><CreateAiWorkspaceResponse><id>')
    workspace_id = text.split("<id>")[1].split("</id>")[0]
    body = f"<GetAiWorkspaceDetailRequest><id>{workspace_id}</id></GetAiWorkspaceDetailRequest>".encode()
    detail = await (await ncp.post("/api/v2/aiworkspaces/getDetail", body, xml=True)).text()
    assert "<GetAiWorkspaceDetailResponse>" in detail and "<name>from-xml</name>" in detail
    assert (
        "<command>python3 -c &apos;print(1)&apos;</command>" in detail
        or "<command>python3 -c 'print(1)'</command>" in detail
    )
    assert "<env><MODE>xml</MODE></env>" in detail and "<exposeTcpPorts>8000</exposeTcpPorts>" in detail
    assert "<image>dataforest/torii-python:3.11</image>" in detail and "<cpuCount>2</cpuCount>" in detail
    # The same workspace read in JSON: XML's text became the contract's types.
    json_detail = await (await ncp.post("/api/v2/aiworkspaces/getDetail", {"id": workspace_id})).json()
    configuration = json_detail["contents"][0]["configuration"]
    assert configuration["resource"] == {"cpuCount": 2, "gpuCount": 0, "memoryMb": 512}
    assert configuration["data"]["output"] == [{"hdfs": "out/a", "overwrite": False, "path": "/out"}]
    listed = await (await ncp.post("/api/v2/aiworkspaces/getList", b"<GetAiWorkspaceListRequest/>", xml=True)).text()
    assert "<total>1</total>" in listed and f"<id>{workspace_id}</id>" in listed
    check = (
        "<CheckAiWorkspaceAvailableNameRequest>"
        f"<accountId>{account}</accountId><name>free-name</name>"
        "</CheckAiWorkspaceAvailableNameRequest>"
    )
    answer = await (await ncp.post("/api/v2/aiworkspaces/checkAvailableName", check.encode(), xml=True)).text()
    assert "<availableName>true</availableName>" in answer
    deleted = await ncp.post(
        "/api/v2/aiworkspaces/delete",
        f"<DeleteAiWorkspaceRequest><id>{workspace_id}</id></DeleteAiWorkspaceRequest>".encode(),
        xml=True,
    )
    assert deleted.status == 200 and "<success>true</success>" in await deleted.text()


async def test_a_broken_rule_answers_400_with_the_first_failure_and_stores_nothing(ncp):
    cases = [
        (
            {"name": "Api-Test"},
            "invalid request parameter (name, 'Api-Test'). must match \"^(?=.{1,15}$)[a-z](?:-?[a-z0-9])*$\"",
        ),
        (
            {
                "configuration": {
                    **SEED_LIKE["configuration"],
                    "docker": {"command": "ls", "image": "tensorflow/r2.3.1-py3"},
                }
            },
            "invalid request parameter (configuration.docker.image, 'tensorflow/r2.3.1-py3'). must match"
            ' "^(dataforest/)?([a-z0-9._-]{1,30}):([a-z0-9._-]{1,20})$"',
        ),
        (
            {"configuration": {**SEED_LIKE["configuration"], "docker": {"image": "torii-python:3.11"}}},
            "invalid request parameter (configuration.docker.command, 'null'). must not be null",
        ),
        ({"description": "x" * 256}, None),
        (
            {"configuration": {**SEED_LIKE["configuration"], "resource": {"gpuCount": 9}}},
            "invalid request parameter (configuration.resource.gpuCount, '9'). must be less than or equal to 8",
        ),
    ]
    for changes, message in cases:
        status, body = await _create(ncp, **changes)
        assert status == 400 and body["success"] is False, body
        if message is not None:
            assert body["message"] == message
        else:
            assert body["message"].startswith("invalid request parameter (description, 'xxx")
    seed_paths = copy.deepcopy(SEED_LIKE["configuration"])
    seed_paths["data"]["input"][0]["path"] = "string"
    status, body = await _create(ncp, configuration=seed_paths)
    assert body == {
        "message": "invalid request parameter (configuration.data.input[0].path, 'string'). must be an absolute path",
        "success": False,
    }
    assert await _total(ncp) == 0


async def test_names_are_unique_per_account_and_free_once_deleted(ncp):
    status, first = await _create(ncp, name="twice")
    assert status == 200
    status, body = await _create(ncp, name="twice")
    assert (status, body) == (
        400,
        {"message": "invalid request parameter (name, 'twice'). already in use", "success": False},
    )
    await ncp.post("/api/v2/aiworkspaces/delete", {"id": first["id"]})
    status, again = await _create(ncp, name="twice")
    assert status == 200 and again["id"] != first["id"]


async def test_past_the_account_s_quota_nothing_is_created(ncp):
    gateway = ncp.gateway
    account_id = gateway.registry.app_account_id
    quota = {"account_id": account_id, "workspaces": 2, "cpu_count": 64, "memory_mb": 1_000_000, "gpu_count": 8}
    response = await gateway.client.put("/manage/v1/workspace-quota", json=quota, headers=gateway.admin)
    assert response.status == 200, await response.text()
    assert (await _create(ncp, name="one"))[0] == 200
    assert (await _create(ncp, name="two"))[0] == 200
    status, body = await _create(ncp, name="three")
    assert (status, body) == (400, {"message": "exceeded limit on resource quota", "success": False})
    assert await _total(ncp) == 2
    used = await (await gateway.client.get("/manage/v1/workspace-quota", headers=gateway.admin)).json()
    assert used["used"] == {"workspaces": 2, "cpu_count": 2, "memory_mb": 2048, "gpu_count": 2}


async def test_another_account_unknown_ids_and_long_ids(ncp):
    other = to_base62("00000000-0000-4000-8000-000000000000")
    status, body = await _create(ncp, accountId=other)
    assert (status, body) == (403, {"message": "not allowed to access", "success": False})
    response = await ncp.post("/api/v2/aiworkspaces/getList", {"search": {"accountId": other}})
    assert response.status == 403
    response = await ncp.post("/api/v2/aiworkspaces/getDetail", {"id": "NoSuchWorkspace0"})
    assert (response.status, await response.json()) == (404, {"message": "no such element", "success": False})
    response = await ncp.post("/api/v2/aiworkspaces/delete", {"id": "x" * 23})
    assert response.status == 400
    assert (await response.json())["message"].startswith(f"invalid request parameter (id, '{'x' * 23}').")
    assert await _total(ncp) == 0


async def test_hostile_xml_and_bodies_over_a_mebibyte_are_refused(ncp):
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<CreateAiWorkspaceRequest><name>&lol2;</name></CreateAiWorkspaceRequest>"""
    response = await ncp.post("/api/v2/aiworkspaces/create", bomb, xml=True)
    text = await response.text()
    assert response.status == 400 and "<message>invalid request parameters</message>" in text, text
    external = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CreateAiWorkspaceRequest><name>&e;</name></CreateAiWorkspaceRequest>"""
    response = await ncp.post("/api/v2/aiworkspaces/create", external, xml=True)
    assert response.status == 400 and "root:" not in await response.text()
    big = copy.deepcopy(SEED_LIKE) | {"accountId": await _account(ncp), "description": "x" * (1024 * 1024)}
    response = await ncp.post("/api/v2/aiworkspaces/create", big)
    assert (response.status, await response.json()) == (
        413,
        {"error": {"errorCode": "430", "message": "Request Entity Too Large"}},
    )
    assert await _total(ncp) == 0


async def test_operators_see_workspaces_with_their_state_in_the_management_api(ncp):
    status, created = await _create(ncp, name="seen")
    gateway = ncp.gateway
    listed = await (await gateway.client.get("/manage/v1/workspaces", headers=gateway.admin)).json()
    [workspace] = listed["workspaces"]
    assert (workspace["workspace_id"], workspace["name"], workspace["state"]) == (created["id"], "seen", "pending")
    one = await (await gateway.client.get(f"/manage/v1/workspaces/{created['id']}", headers=gateway.admin)).json()
    assert one["workspace"]["configuration"]["docker"]["command"] == "ls"


async def test_the_operator_sets_the_gpu_models_and_the_most_one_workspace_may_ask_for(start_gateway):
    gateway = await start_gateway(dataforest_gpu_models=["A100"], dataforest_max_cpu_count=2)
    created = await (await gateway.client.post("/manage/v1/ncp-keys", json={}, headers=gateway.admin)).json()
    operator_s = NcpClient(gateway, created["ncp_key"]["access_key"], created["secret_key"])
    status, body = await _create(operator_s)
    assert (status, body["message"]) == (
        400,
        "invalid request parameter (configuration.resource.gpuModel, 'T4'). must match \"A100\"",
    )
    configuration = copy.deepcopy(SEED_LIKE["configuration"])
    configuration["resource"] = {"cpuCount": 3, "gpuCount": 1}
    status, body = await _create(operator_s, configuration=configuration)
    assert body["message"] == (
        "invalid request parameter (configuration.resource.cpuCount, '3'). must be less than or equal to 2"
    )
    configuration["resource"] = {"cpuCount": 2, "gpuCount": 1}
    status, body = await _create(operator_s, configuration=configuration)
    assert status == 200, body
    detail = await (await operator_s.post("/api/v2/aiworkspaces/getDetail", {"id": body["id"]})).json()
    assert detail["contents"][0]["configuration"]["resource"]["gpuModel"] == "A100"


async def test_a_chunked_body_is_refused_once_it_passes_a_mebibyte_without_waiting_for_the_rest(ncp):
    """The contract's 1 MiB, not the gateway's larger client_max_size, bounds what is read: the
    answer comes while the client still holds the rest of its body back."""
    target = "/api/v2/aiworkspaces/create"
    head = "".join(
        f"{name}: {value}\r\n"
        for name, value in {
            **ncp.headers(target),
            "Host": "torii",
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        }.items()
    )
    chunk = b"x" * 65536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(18))  # 1.125 MiB, no last chunk
    response = await exchange(ncp.gateway.client, f"POST {target} HTTP/1.1\r\n{head}\r\n".encode() + chunks)
    assert (response.status, response.json()) == (
        413,
        {"error": {"errorCode": "430", "message": "Request Entity Too Large"}},
    )
