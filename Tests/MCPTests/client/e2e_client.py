"""Drives `artifact-search mcp` with the official MCP Python SDK (mcp 2.3.0).

usage: e2e_client.py BINARY STORE ALLOWED_FOLDER OUTSIDE_FILE

Every check is an assert; the script prints "ok" and exits 0 when all hold. The Swift test
MCPTests/OfficialClientTests runs it (the README's test command makes its virtual environment).
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

EXPECTED_TOOLS = {
    "search_artifacts", "list_artifacts", "get_artifact", "read_artifact", "save_text", "save_json",
    "save_file", "best_artifact", "pin_artifact", "delete_artifact",
}


def structured(result):
    assert not result.is_error, f"tool error: {result.content}"
    assert result.structured_content is not None
    return result.structured_content


async def main(binary, store, allowed, outside):
    params = StdioServerParameters(
        command=binary,
        args=["mcp", "--store", store, "--org-id", "acme", "--run-id", "run-1", "--allow-path", allowed, "--allow-delete"],
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.server_info.name == "artifact-search", init.server_info

            # Tools, names and schemas.
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            assert set(tools) == EXPECTED_TOOLS, sorted(tools)
            search_schema = tools["search_artifacts"].input_schema
            assert search_schema["required"] == ["query"]
            assert search_schema["properties"]["mode"]["enum"] == ["auto", "hybrid", "lexical", "semantic"]
            assert search_schema["properties"]["limit"]["maximum"] == 100
            assert tools["search_artifacts"].annotations.read_only_hint is True
            assert tools["delete_artifact"].annotations.destructive_hint is True

            # Saves.
            oom = structured(await session.call_tool("save_text", {
                "text": "training crashed: CUDA out of memory while allocating 2 GiB", "name": "train.log",
                "kind": "log", "tags": ["gpu"], "metrics": {"f1": 0.41}}))
            notes = structured(await session.call_tool("save_text", {
                "text": "meeting notes about the budget forecast", "name": "notes.md", "kind": "log",
                "metrics": {"f1": 0.77}}))
            config = structured(await session.call_tool("save_json", {
                "value": {"learning_rate": 0.001, "layers": [64, 64]}, "name": "config.json", "labels": {"stage": 2}}))
            assert oom["org_id"] == "acme" and oom["run_id"] == "run-1" and oom["kind"] == "log"
            assert config["labels"]["stage"] == 2

            # Search: the OOM log first, with a snippet and each leg's rank when explained.
            hits = structured(await session.call_tool("search_artifacts", {"query": "GPU ran out of memory", "explain": True}))["hits"]
            assert hits[0]["artifact_id"] == oom["artifact_id"], hits
            assert "out of memory" in hits[0]["snippet"]
            assert hits[0]["lexical_rank"] == 1
            lexical = structured(await session.call_tool("search_artifacts", {"query": "budget", "mode": "lexical"}))["hits"]
            assert [hit["artifact_id"] for hit in lexical] == [notes["artifact_id"]]
            blank = structured(await session.call_tool("search_artifacts", {"query": "  ", "mode": "hybrid"}))["hits"]
            assert blank == []
            # Pages never overlap or skip.
            first = structured(await session.call_tool("search_artifacts", {"query": "", "limit": 2}))["hits"]
            second = structured(await session.call_tool("search_artifacts", {"query": "", "limit": 2, "offset": 2}))["hits"]
            assert [h["artifact_id"] for h in first + second] == [config["artifact_id"], notes["artifact_id"], oom["artifact_id"]]

            # List, get, read.
            listed = structured(await session.call_tool("list_artifacts", {"kind": "log"}))["artifacts"]
            assert [a["artifact_id"] for a in listed] == [notes["artifact_id"], oom["artifact_id"]]
            got = structured(await session.call_tool("get_artifact", {"artifact_id": oom["artifact_id"]}))
            assert got["sha256"] == oom["sha256"]
            text = structured(await session.call_tool("read_artifact", {"artifact_id": oom["artifact_id"], "offset": 9, "max_bytes": 7}))
            assert text["text"] == "crashed" and text["next_offset"] == 16 and text["size"] == len("training crashed: CUDA out of memory while allocating 2 GiB")

            # Best and pin.
            best = structured(await session.call_tool("best_artifact", {"kind": "log", "metric": "f1", "metric_mode": "max"}))
            assert best["artifact"]["artifact_id"] == notes["artifact_id"]
            worst = structured(await session.call_tool("best_artifact", {"kind": "log", "metric": "f1", "metric_mode": "min"}))
            assert worst["artifact"]["artifact_id"] == oom["artifact_id"]
            none = structured(await session.call_tool("best_artifact", {"kind": "log", "metric": "recall", "metric_mode": "max"}))
            assert none["artifact"] is None
            pinned = structured(await session.call_tool("pin_artifact", {"artifact_id": oom["artifact_id"], "pinned": True}))
            assert pinned["pinned"] is True

            # save_file: inside the allowed folder yes, outside no; the agent's file stays.
            inside = os.path.join(allowed, "result.txt")
            saved = structured(await session.call_tool("save_file", {"path": inside}))
            assert saved["bytes"] == os.path.getsize(inside) and os.path.exists(inside)
            refused = await session.call_tool("save_file", {"path": outside})
            assert refused.is_error and "outside" in refused.content[0].text, refused

            # Errors are tool results with is_error, never protocol errors.
            for name, arguments, words in [
                ("get_artifact", {"artifact_id": "01NOSUCHARTIFACT0000000000"}, "01NOSUCHARTIFACT0000000000"),
                ("search_artifacts", {"query": "x", "mode": "fuzzy"}, "mode"),
                ("search_artifacts", {"query": "x", "limit": 0}, "limit"),
                ("search_artifacts", {"query": "x", "colour": "red"}, "colour"),
                ("save_text", {"name": "no text"}, "text"),
                ("best_artifact", {"kind": "log", "metric": "f1", "metric_mode": "median"}, "median"),
            ]:
                result = await session.call_tool(name, arguments)
                assert result.is_error, (name, arguments, result)
                assert words in result.content[0].text, (name, result.content[0].text)

            # Delete: gone from every read.
            deleted = structured(await session.call_tool("delete_artifact", {"artifact_id": notes["artifact_id"]}))
            assert deleted["deleted"] == notes["artifact_id"]
            again = await session.call_tool("get_artifact", {"artifact_id": notes["artifact_id"]})
            assert again.is_error
            left = structured(await session.call_tool("search_artifacts", {"query": "budget", "mode": "lexical"}))["hits"]
            assert left == []
    print("ok")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
