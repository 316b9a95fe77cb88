import sys
import unittest

from support import load_package

load_package()
from blender_bus_client import job_runner  # noqa: E402
from blender_bus_client.job_runner import run_script  # noqa: E402


class RunScriptTest(unittest.TestCase):
    def test_output_is_captured(self):
        outcome = run_script("print('objects:', 4)\nprint('done')", "job-1")
        self.assertTrue(outcome.ok)
        self.assertEqual(outcome.output, "objects: 4\ndone\n")
        self.assertEqual(outcome.error, "")

    def test_helpers_are_globals_of_the_script(self):
        calls = []
        outcome = run_script("report_progress(0.5, 'half')\nprint('ok')", "job-h",
                             {"report_progress": lambda *args: calls.append(args)})
        self.assertTrue(outcome.ok, outcome.error)
        self.assertEqual(calls, [(0.5, "half")])
        self.assertFalse(run_script("report_progress(1)").ok, "no helper unless given")

    def test_stderr_is_captured_in_order_with_stdout(self):
        outcome = run_script("import sys\nprint('a')\nprint('b', file=sys.stderr)\nprint('c')")
        self.assertEqual(outcome.output, "a\nb\nc\n")

    def test_exception_gives_traceback_of_the_script_lines(self):
        script = "print('before')\ndef f():\n    raise RuntimeError('boom')\nf()\n"
        outcome = run_script(script, "job-7")
        self.assertFalse(outcome.ok)
        self.assertEqual(outcome.output, "before\n")
        self.assertTrue(outcome.error.startswith("Traceback (most recent call last):"))
        self.assertIn('File "<job job-7>", line 4, in <module>', outcome.error)
        self.assertIn('File "<job job-7>", line 3, in f', outcome.error)
        self.assertIn("raise RuntimeError('boom')", outcome.error)  # the source line is quoted
        self.assertTrue(outcome.error.rstrip().endswith("RuntimeError: boom"))
        self.assertNotIn("job_runner.py", outcome.error)

    def test_syntax_error_fails(self):
        outcome = run_script("def broken(:\n", "job-s")
        self.assertFalse(outcome.ok)
        self.assertIn("SyntaxError", outcome.error)
        self.assertIn("<job job-s>", outcome.error)

    def test_sys_exit_zero_is_success_and_nonzero_is_failure(self):
        self.assertTrue(run_script("import sys\nsys.exit(0)").ok)
        self.assertTrue(run_script("import sys\nsys.exit()").ok)
        failed = run_script("import sys\nsys.exit(3)")
        self.assertFalse(failed.ok)
        self.assertIn("SystemExit: 3", failed.error)

    def test_streams_are_restored(self):
        before = (sys.stdout, sys.stderr)
        run_script("raise ValueError('x')")
        run_script("print('y')")
        self.assertEqual((sys.stdout, sys.stderr), before)

    def test_scripts_run_as_main_in_fresh_namespaces(self):
        self.assertTrue(run_script("leaked = 1\nassert __name__ == '__main__'").ok)
        outcome = run_script("print(leaked)")
        self.assertFalse(outcome.ok)
        self.assertIn("NameError", outcome.error)

    def test_huge_output_is_clipped_keeping_the_end(self):
        limit = job_runner.MAX_TEXT_CHARS
        outcome = run_script(f"print('x' * {limit + 10}, end='')\nprint('END', end='')")
        self.assertTrue(outcome.ok)
        self.assertTrue(outcome.output.endswith("END"))
        self.assertIn("characters dropped", outcome.output)
        self.assertLess(len(outcome.output), limit + 100)


if __name__ == "__main__":
    unittest.main()
