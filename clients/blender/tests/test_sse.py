import unittest

from support import load_package

load_package()
from blender_bus_client.sse import SseParser, iter_events  # noqa: E402


def parse(text):
    parser = SseParser()
    events = list(parser.feed_lines(text.splitlines(keepends=True)))
    return parser, events


class SseParserTest(unittest.TestCase):
    def test_event_with_id_and_data(self):
        parser, events = parse('id: 7\ndata: {"a": 1}\n\n')
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0].id, "7")
        self.assertEqual(events[0].data, '{"a": 1}')
        self.assertEqual(events[0].event, "message")
        self.assertEqual(parser.last_event_id, "7")

    def test_multiline_data_is_joined_with_newlines(self):
        _, events = parse("data: first\ndata: second\n\n")
        self.assertEqual(events[0].data, "first\nsecond")

    def test_comments_are_keepalives_not_events(self):
        parser, events = parse(": keep-alive\n\n: again\ndata: x\n\n")
        self.assertEqual([e.data for e in events], ["x"])
        self.assertEqual(parser.comments_seen, 2)

    def test_crlf_line_endings(self):
        _, events = parse("id: 1\r\ndata: a\r\n\r\nid: 2\r\ndata: b\r\n\r\n")
        self.assertEqual([(e.id, e.data) for e in events], [("1", "a"), ("2", "b")])

    def test_field_without_space_and_without_colon(self):
        _, events = parse("data:tight\n\ndata\n\n")
        self.assertEqual([e.data for e in events], ["tight", ""])

    def test_only_one_leading_space_is_stripped(self):
        _, events = parse("data:  two\n\n")
        self.assertEqual(events[0].data, " two")

    def test_event_name_and_retry(self):
        parser, events = parse("event: update\nretry: 1500\ndata: x\n\n")
        self.assertEqual(events[0].event, "update")
        self.assertEqual(parser.retry_ms, 1500)

    def test_id_without_data_moves_the_cursor_but_dispatches_nothing(self):
        parser, events = parse("id: 41\n\n")
        self.assertEqual(events, [])
        self.assertEqual(parser.last_event_id, "41")

    def test_later_event_without_id_keeps_last_event_id(self):
        parser, events = parse("id: 3\ndata: a\n\ndata: b\n\n")
        self.assertEqual(events[1].id, None)
        self.assertEqual(parser.last_event_id, "3")

    def test_unknown_fields_are_ignored(self):
        _, events = parse("foo: bar\ndata: x\n\n")
        self.assertEqual(events[0].data, "x")

    def test_unterminated_event_at_end_of_stream_is_dropped(self):
        events = list(iter_events([b"data: done\n", b"\n", b"data: half"]))
        self.assertEqual([e.data for e in events], ["done"])

    def test_utf8_bytes(self):
        events = list(iter_events(["data: caf\u00e9\n".encode(), b"\n"]))
        self.assertEqual(events[0].data, "caf\u00e9")


if __name__ == "__main__":
    unittest.main()
