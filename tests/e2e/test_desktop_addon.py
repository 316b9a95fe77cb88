"""Issue 17: the add-on in real desktop Blender 3.4 under Xvfb, installed
from the packaged zip (scripts/package), connected to the real server; a
job sent with the CLI (`blender-bus send`) runs in it, and the 3D view's
sidebar panel shows the status, the uuid and that job, as Blender drew it.
A screenshot is kept in tests/e2e/artifacts/desktop-panel.png."""

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import unittest

from harness import (REPO_ROOT, ServerProcess, blender_bin, make_workdir, server_bin, tail,
                     wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "desktop_driver.py")
ARTIFACTS = os.path.join(HERE, "artifacts")


def packaged_addon_zip(into):
    """The add-on zip out of the .deb scripts/package builds now."""
    deb = subprocess.run([os.path.join(REPO_ROOT, "scripts", "package")], check=True, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.strip()
    data = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True, stdout=subprocess.PIPE).stdout
    tar_path = os.path.join(into, "data.tar")
    with open(tar_path, "wb") as f:
        f.write(data)
    with tarfile.open(tar_path) as tar:
        member = tar.extractfile("./usr/share/blender-bus/blender_bus_addon.zip")
        path = os.path.join(into, "blender_bus_addon.zip")
        with open(path, "wb") as out:
            out.write(member.read())
    return path


class DesktopAddonUnderXvfbTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = make_workdir()
        cls.addClassCleanup(shutil.rmtree, cls.workdir, ignore_errors=True)
        cls.server = ServerProcess(cls.workdir).start()
        cls.addClassCleanup(cls.server.stop)
        cls.zip = packaged_addon_zip(cls.workdir)
        cls.control = os.path.join(cls.workdir, "control")
        os.makedirs(cls.control)
        cls.log_path = os.path.join(cls.workdir, "desktop.log")
        env = dict(os.environ,
                   BLENDER_USER_CONFIG=os.path.join(cls.workdir, "config"),
                   BLENDER_USER_SCRIPTS=os.path.join(cls.workdir, "scripts"))
        cls.log_file = open(cls.log_path, "w")
        cls.proc = subprocess.Popen(
            ["xvfb-run", "--auto-servernum", "--server-args=-screen 0 1280x800x24",
             blender_bin(), "--factory-startup", "-noaudio", "--enable-event-simulate",
             "--python", DRIVER, "--", cls.server.base_url, cls.zip, cls.control],
            stdout=cls.log_file, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        cls.addClassCleanup(cls.stop_blender)

    @classmethod
    def stop_blender(cls):
        open(os.path.join(cls.control, "stop"), "w").close()
        try:
            cls.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(cls.proc.pid, 9)  # xvfb-run, Xvfb and Blender
            cls.proc.wait()
        cls.log_file.close()

    def read_control(self, name, timeout):
        path = os.path.join(self.control, name)

        def ready():
            if self.proc.poll() is not None and not os.path.exists(path):
                raise AssertionError(f"Blender exited ({self.proc.returncode}):\n{tail(self.log_path)}")
            return os.path.exists(path)
        try:
            wait_until(ready, timeout, name)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- desktop Blender log:\n{tail(self.log_path)}") from None
        with open(path) as f:
            data = json.load(f)
        self.assertNotIn("error", data, tail(self.log_path))
        return data

    def test_a_cli_job_runs_and_the_sidebar_panel_shows_it(self):
        ready = self.read_control("ready.json", 180)
        client_uuid = ready["uuid"]
        self.assertEqual(ready["lines"][:3], ["Status: connected", f"Client: {client_uuid}", "Group: desk"])
        # The add-on took the first identity slot of its config directory.
        with open(os.path.join(self.workdir, "config", "blender_bus_client_uuid")) as f:
            self.assertEqual(f.read().strip(), client_uuid)

        script = os.path.join(self.workdir, "job.py")
        with open(script, "w") as f:
            f.write("print('hello from the desktop')\n")  # touches no data: nothing else redraws
        with tempfile.TemporaryDirectory() as config_home:
            sent = subprocess.run(
                [server_bin(), "send", "--server", self.server.base_url, "--target", f"uuid:{client_uuid}",
                 "--script", script, "--timeout", "120"],
                env=dict(os.environ, XDG_CONFIG_HOME=config_home), capture_output=True, text=True, timeout=180)
        self.assertEqual(sent.returncode, 0, sent.stderr)
        self.assertEqual(sent.stdout, "hello from the desktop\n")
        self.assertIn(f"[completed] {client_uuid} (group desk): reply 1 of 1", sent.stderr)
        job_id = re.search(r"sent (job-\S+) to", sent.stderr).group(1)

        result = self.read_control("result.json", 120)
        self.assertEqual(result["uuid"], client_uuid)
        self.assertEqual((result["panel_registered"], result["panel_space"], result["panel_region"],
                          result["panel_category"], result["sidebar_shown"]),
                         (True, "VIEW_3D", "UI", "Blender Bus", True))
        self.assertEqual(result["status"], "connected")
        self.assertEqual(result["status_text"], f"Connected as {client_uuid}")
        # What Blender drew is what the add-on holds: the job's end was redrawn.
        self.assertEqual(result["drawn"], result["lines"])
        self.assertEqual(result["lines"][:4], ["Status: connected", f"Client: {client_uuid}", "Group: desk",
                                               "Last jobs:"])
        self.assertRegex(result["lines"][4], rf"^{re.escape(job_id)}: completed in \d+\.\d\ds$")

        shot = os.path.join(self.control, "screenshot.png")
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        os.makedirs(ARTIFACTS, exist_ok=True)
        shutil.copy(shot, os.path.join(ARTIFACTS, "desktop-panel.png"))

        self.proc.wait(60)
        self.assertEqual(self.proc.returncode, 0, tail(self.log_path))


if __name__ == "__main__":
    unittest.main()
