"""Runs the desktop add-on inside `blender -b` for the end-to-end test.

    blender -b --factory-startup --python addon_driver.py -- SERVER_URL GROUP STOP_FILE

Background Blender has no event loop, so bpy.app.timers never fire: this
driver enables the add-on the way the Preferences window would, presses
Connect, then calls the add-on's timer callback itself until STOP_FILE
appears, and presses Disconnect.
"""

import os
import sys
import time

import addon_utils
import bpy

server_url, group, stop_file = sys.argv[sys.argv.index("--") + 1:][:3]

module = addon_utils.enable("blender_bus", default_set=True, handle_error=None)
if module is None:
    sys.exit("could not enable the blender_bus add-on")
prefs = bpy.context.preferences.addons["blender_bus"].preferences
prefs.server_url = server_url
prefs.group_id = group
prefs.capabilities = "python_execution, desktop"
assert bpy.ops.blender_bus.connect() == {"FINISHED"}

addon = sys.modules["blender_bus.addon"]
deadline = time.monotonic() + 300
while not os.path.exists(stop_file) and time.monotonic() < deadline:
    addon._run_queued_jobs()  # what the registered timer does every 0.1 s
    time.sleep(0.05)

print("add-on status:", addon.status_text(), flush=True)
assert bpy.ops.blender_bus.disconnect() == {"FINISHED"}
addon_utils.disable("blender_bus")
