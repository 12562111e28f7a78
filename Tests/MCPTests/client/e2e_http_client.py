"""Drives `/mcp` of `artifact-search serve` (MCP over Streamable HTTP) with the official MCP
Python SDK (mcp 2.3.0), through API keys of two organisations.

usage: e2e_http_client.py URL WRITER_KEY READER_KEY OTHER_ORGANISATION_KEY

Every check is an assert; the script prints "ok" and exits 0 when all hold. The Swift test
HTTPTests/OfficialHTTPClientTests runs it against a server it started on loopback.
"""

import asyncio
import sys
from contextlib import asynccontextmanager

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

WRITER_TOOLS = [
    "search_artifacts", "list_artifacts", "get_artifact", "read_artifact", "save_text", "save_json",
    "best_artifact", "pin_artifact", "delete_artifact",
]
READER_TOOLS = ["search_artifacts", "list_artifacts", "get_artifact", "read_artifact", "best_artifact"]


@asynccontextmanager
async def session_for(url, key):
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {key}"}) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                assert init.server_info.name == "artifact-search", init.server_info
                yield session


def structured(result):
    assert not result.is_error, f"tool error: {result.content}"
    assert result.structured_content is not None
    return result.structured_content


async def main(url, writer_key, reader_key, other_key):
    async with session_for(url + "?run_id=run-1", writer_key) as writer:
        tools = [tool.name for tool in (await writer.list_tools()).tools]
        assert tools == WRITER_TOOLS, tools
        oom = structured(await writer.call_tool("save_text", {
            "text": "training crashed: CUDA out of memory while allocating 2 GiB", "name": "train.log", "kind": "log",
            "metrics": {"f1": 0.41}}))
        notes = structured(await writer.call_tool("save_text", {
            "text": "meeting notes about the budget forecast", "name": "notes.md", "kind": "log", "metrics": {"f1": 0.77}}))
        config = structured(await writer.call_tool("save_json", {"value": {"lr": 0.001}, "name": "config.json"}))
        odd = structured(await writer.call_tool("save_text", {"text": "data:,hello%20world"}))
        assert oom["org_id"] == "acme" and oom["run_id"] == "run-1", oom
        assert "uri" not in oom, "a server path must not reach a remote client"

        hits = structured(await writer.call_tool("search_artifacts", {"query": "GPU ran out of memory", "explain": True}))["hits"]
        assert hits[0]["artifact_id"] == oom["artifact_id"], hits
        assert "out of memory" in hits[0]["snippet"] and hits[0]["lexical_rank"] == 1
        listed = structured(await writer.call_tool("list_artifacts", {"kind": "log"}))["artifacts"]
        assert [a["artifact_id"] for a in listed] == [notes["artifact_id"], oom["artifact_id"]]
        text = structured(await writer.call_tool("read_artifact", {"artifact_id": odd["artifact_id"]}))
        assert text["text"] == "data:,hello%20world", text
        best = structured(await writer.call_tool("best_artifact", {"kind": "log", "metric": "f1", "metric_mode": "max"}))
        assert best["artifact"]["artifact_id"] == notes["artifact_id"]
        pinned = structured(await writer.call_tool("pin_artifact", {"artifact_id": config["artifact_id"], "pinned": True}))
        assert pinned["pinned"] is True
        missing = await writer.call_tool("get_artifact", {"artifact_id": "01NOSUCHARTIFACT0000000000"})
        assert missing.is_error and "01NOSUCHARTIFACT0000000000" in missing.content[0].text
        deleted = structured(await writer.call_tool("delete_artifact", {"artifact_id": notes["artifact_id"]}))
        assert deleted["deleted"] == notes["artifact_id"]
        assert (await writer.call_tool("get_artifact", {"artifact_id": notes["artifact_id"]})).is_error

    async with session_for(url, reader_key) as reader:
        tools = [tool.name for tool in (await reader.list_tools()).tools]
        assert tools == READER_TOOLS, tools
        got = structured(await reader.call_tool("get_artifact", {"artifact_id": oom["artifact_id"]}))
        assert got["sha256"] == oom["sha256"]

    async with session_for(url, other_key) as other:
        hidden = await other.call_tool("get_artifact", {"artifact_id": oom["artifact_id"]})
        assert hidden.is_error, "another organisation's artifact is unreachable"
        nothing = structured(await other.call_tool("search_artifacts", {"query": "CUDA out of memory", "level": "org"}))["hits"]
        assert nothing == [], nothing
    print("ok")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
