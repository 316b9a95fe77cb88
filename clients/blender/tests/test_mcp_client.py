import http.client
import json
import os
import ssl
import tempfile
import threading
import time
import unittest

from support import FakeBus, load_package

load_package()
from blender_bus_client.auth import NoToken, StaticToken, TokenFile  # noqa: E402
from blender_bus_client.mcp_client import (McpClient, SessionGone, ToolError,  # noqa: E402
                                           Unauthorized, tool_result_payload)
from blender_bus_client.server_address import ServerAddress  # noqa: E402


class ServerAddressTest(unittest.TestCase):
    def test_base_url_and_mcp_suffix(self):
        self.assertEqual(ServerAddress("http://127.0.0.1:8000").base_url, "http://127.0.0.1:8000")
        self.assertEqual(ServerAddress("http://127.0.0.1:8000/mcp/").path("/mcp"), "/mcp")
        self.assertEqual(ServerAddress("https://bus.example/prefix/mcp").path("/auth/login"), "/prefix/auth/login")
        self.assertEqual(ServerAddress("https://bus.example").port, 443)
        with self.assertRaises(ValueError):
            ServerAddress("127.0.0.1:8000")

    def test_https_verifies_the_certificate_and_the_name_by_default(self):
        connection = ServerAddress("https://bus.example").connect(timeout=5)
        self.assertIsInstance(connection, http.client.HTTPSConnection)
        context = connection._context
        self.assertEqual(context.verify_mode, ssl.CERT_REQUIRED)
        self.assertTrue(context.check_hostname)
        self.assertGreaterEqual(context.minimum_version, ssl.TLSVersion.TLSv1_2)

    def test_a_ca_file_must_exist_and_is_for_https_only(self):
        with self.assertRaises(OSError):
            ServerAddress("https://bus.example", ca_file="/no/such/ca.pem")
        with self.assertRaises(ValueError):
            ServerAddress("http://127.0.0.1:8000", ca_file="/etc/ssl/certs/ca-certificates.crt")


class ToolResultTest(unittest.TestCase):
    def test_fastmcps_wrapped_text_is_unwrapped_and_parsed(self):
        text = '{"status": "ok", "connected_at": 1796125004.967525}'
        self.assertEqual(tool_result_payload({"structuredContent": {"result": text},
                                              "content": [{"type": "text", "text": text}]}),
                         {"status": "ok", "connected_at": 1796125004.967525})
        self.assertEqual(tool_result_payload({"structuredContent": {"result": "done"},
                                              "content": [{"type": "text", "text": "done"}]}), "done")

    def test_other_structured_content_wins_then_text(self):
        self.assertEqual(tool_result_payload({"structuredContent": {"a": 1, "result": "x"},
                                              "content": [{"type": "text", "text": "{\"a\": 2}"}]}),
                         {"a": 1, "result": "x"})
        self.assertEqual(tool_result_payload({"content": [{"type": "text", "text": "{\"a\": 2}"}]}), {"a": 2})

    def test_is_error_raises_with_the_message(self):
        with self.assertRaisesRegex(ToolError, "client_uuid"):
            tool_result_payload({"isError": True, "content": [{"type": "text", "text": "client_uuid: required"}]})


class McpClientTest(unittest.TestCase):
    def check_round_trip(self, answer_mode):
        with FakeBus(answer_mode=answer_mode) as bus:
            client = McpClient(ServerAddress(bus.url), NoToken())
            notes = []
            client.on_notification = notes.append
            result = client.initialize()
            self.assertEqual(result["serverInfo"]["name"], "fake-bus")
            self.assertEqual(client.protocol_version, "2025-06-18")
            self.assertIn(client.session_id, bus.sessions)
            answer = client.call_tool("blender_register_client", {"client_uuid": "b1", "client_type": "blender"})
            self.assertEqual(answer["client"]["uuid"], "b1")
            methods = [m for _, m, _ in bus.calls]
            self.assertEqual(methods, ["initialize", "notifications/initialized", "tools/call"])
            later = bus.request_headers[-1]
            self.assertEqual(later["Mcp-Session-Id"], client.session_id)
            self.assertEqual(later["MCP-Protocol-Version"], "2025-06-18")
            self.assertIn("application/json", later["Accept"])
            self.assertIn("text/event-stream", later["Accept"])
            if answer_mode == "sse":
                self.assertTrue(notes, "notifications on a POST stream reach the callback")
            client.close()
            self.assertEqual(len(bus.ended_sessions), 1)

    def test_json_answers(self):
        self.check_round_trip("json")

    def test_sse_answers(self):
        self.check_round_trip("sse")

    def test_text_only_tool_results(self):
        bus = FakeBus(structured=False)
        with bus:
            client = McpClient(ServerAddress(bus.url), NoToken())
            client.initialize()
            self.assertEqual(client.call_tool("blender_job_update", {"job_id": "j", "status": "running"})["status"], "ok")

    def test_unknown_session_is_session_gone(self):
        with FakeBus() as bus:
            client = McpClient(ServerAddress(bus.url), NoToken())
            client.initialize()
            bus.forget_sessions()
            with self.assertRaises(SessionGone):
                client.call_tool("blender_list_available_clients", {})
            with self.assertRaises(SessionGone):
                client.open_stream()

    def test_stream_sends_last_event_id_and_yields_events(self):
        with FakeBus() as bus:
            client = McpClient(ServerAddress(bus.url), NoToken())
            client.initialize()
            for n in range(3):
                bus.push({"jsonrpc": "2.0", "method": "notifications/message", "params": {"data": n}})
            stream = client.open_stream(last_event_id="1")
            received = []
            for event in stream:
                received.append((event.id, json.loads(event.data)["params"]["data"]))
                if len(received) == 2:
                    break
            stream.close()
            self.assertEqual(received, [("2", 1), ("3", 2)])
            self.assertEqual(stream.last_event_id, "3")
            self.assertEqual(bus.stream_opens[-1][1], "1")

    def test_stream_can_be_cut_from_another_thread(self):
        for framing in ("chunked", "close"):
            with self.subTest(framing=framing), FakeBus(stream_framing=framing) as bus:
                client = McpClient(ServerAddress(bus.url), NoToken())
                client.initialize()
                stream = client.open_stream()
                threading.Timer(0.2, stream.close).start()
                started = time.monotonic()
                self.assertEqual(list(stream), [])  # ends instead of hanging
                self.assertLess(time.monotonic() - started, 2.0)

    def test_unframed_stream_yields_events(self):
        with FakeBus(stream_framing="close") as bus:
            client = McpClient(ServerAddress(bus.url), NoToken())
            client.initialize()
            stream = client.open_stream()
            bus.push({"jsonrpc": "2.0", "method": "notifications/message", "params": {"data": "x"}})
            event = next(iter(stream))
            stream.close()
            self.assertEqual((event.id, json.loads(event.data)["params"]["data"]), ("1", "x"))

    def test_401_without_renewal_is_unauthorized(self):
        with FakeBus(token="good") as bus:
            client = McpClient(ServerAddress(bus.url), StaticToken("bad"))
            with self.assertRaises(Unauthorized):
                client.initialize()

    def test_401_refreshes_a_token_file_and_retries(self):
        with FakeBus(token="current") as bus, tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "token.json")
            with open(path, "w") as f:
                json.dump({"access_token": "expired", "refresh_token": "r0", "keep": "me"}, f)
            client = McpClient(ServerAddress(bus.url), TokenFile(path, ServerAddress(bus.url)))
            client.initialize()
            self.assertEqual(bus.refreshes, 1)
            with open(path) as f:
                stored = json.load(f)
            self.assertEqual(stored["access_token"], "token-1")
            self.assertEqual(stored["refresh_token"], "refresh-1")  # the rotated one is kept
            self.assertEqual(stored["keep"], "me")
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)

    def test_a_bare_token_file_is_reread_after_401(self):
        with FakeBus(token="new") as bus, tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "token")
            with open(path, "w") as f:
                f.write("old\n")
            source = TokenFile(path, ServerAddress(bus.url))
            with open(path, "w") as f:
                f.write("new\n")  # another program renewed it
            McpClient(ServerAddress(bus.url), source).initialize()
            self.assertEqual(source.token(), "new")


if __name__ == "__main__":
    unittest.main()
