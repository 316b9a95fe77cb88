"""Drives desktop Blender (under Xvfb) for test_desktop_addon.py: installs
the add-on from the packaged zip as a user would (Preferences > Add-ons >
Install), connects, opens the 3D view's sidebar on the add-on's tab, and
reports what its panel shows through Blender's Python API.

    xvfb-run blender --factory-startup --enable-event-simulate \\
        --python desktop_driver.py -- SERVER_URL ADDON_ZIP CONTROL_DIR

Writes into CONTROL_DIR, each file once, atomically:
    ready.json   {"uuid", "lines"} once connected and the panel is on screen
    result.json  {"uuid", "lines", "drawn", ...} once Blender has drawn the
                 panel with a finished job in it; then screenshot.png
A file CONTROL_DIR/stop ends it early; it quits Blender when done.
--enable-event-simulate: Blender 3.4 has no API to pick a sidebar tab, so
the driver clicks it, as a user would (and real input is ignored).
"""

import json
import os
import sys
import time
import traceback

import addon_utils  # noqa: F401 (Blender's own add-on machinery, used by the operators)
import bpy

server_url, addon_zip, control_dir = sys.argv[sys.argv.index("--") + 1:][:3]
DEADLINE = time.monotonic() + 240

# The splash screen is modal: it would swallow the tab clicks.
bpy.context.preferences.view.show_splash = False


def write(name, data):
    tmp = os.path.join(control_dir, name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, os.path.join(control_dir, name))


def fail(message):
    write("result.json", {"error": message})
    bpy.ops.wm.quit_blender()


assert bpy.ops.preferences.addon_install(filepath=addon_zip) == {"FINISHED"}
assert bpy.ops.preferences.addon_enable(module="blender_bus") == {"FINISHED"}
prefs = bpy.context.preferences.addons["blender_bus"].preferences
prefs.server_url = server_url
prefs.group_id = "desk"
prefs.capabilities = "python_execution, desktop"
assert bpy.ops.blender_bus.connect() == {"FINISHED"}
addon = sys.modules["blender_bus.addon"]
state = {"phase": "connecting", "click": 0}


def view3d():
    window = bpy.context.window_manager.windows[0]
    area = next(a for a in window.screen.areas if a.type == "VIEW_3D")
    region = next(r for r in area.regions if r.type == "UI")
    return window, area, region


def click_next_tab_position(window, region):
    """Clicks down the tab strip at the sidebar's right edge, a step at a
    time, until the add-on's tab is the active one (its panel draws)."""
    x = region.x + region.width - 12
    y = region.y + region.height - 10 - 12 * state["click"]
    state["click"] += 1
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="PRESS", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="RELEASE", x=x, y=y)


def finish(window, area):
    peer = addon._peer
    shot = os.path.join(control_dir, "screenshot.png")
    with bpy.context.temp_override(window=window, area=area):
        bpy.ops.screen.screenshot(filepath=shot)
    write("result.json", {
        "uuid": peer.config.client_uuid,
        "status": peer.status,
        "lines": addon.panel_lines(),
        "drawn": addon.drawn_lines,
        "draws": addon.panel_draws,
        "panel_registered": hasattr(bpy.types, "VIEW3D_PT_blender_bus"),
        "panel_category": bpy.types.VIEW3D_PT_blender_bus.bl_category,
        "panel_space": bpy.types.VIEW3D_PT_blender_bus.bl_space_type,
        "panel_region": bpy.types.VIEW3D_PT_blender_bus.bl_region_type,
        "sidebar_shown": area.spaces.active.show_region_ui,
        "status_text": addon.status_text(),
    })
    bpy.ops.blender_bus.disconnect()
    bpy.ops.wm.quit_blender()


def tick():
    try:
        if time.monotonic() > DEADLINE or os.path.exists(os.path.join(control_dir, "stop")):
            fail(f"gave up in phase {state['phase']}: {addon.panel_lines()}")
            return None
        window, area, region = view3d()
        # Set only once: any RNA write redraws the area, which would hide
        # whether the add-on asks for its redraws itself.
        if not area.spaces.active.show_region_ui:
            area.spaces.active.show_region_ui = True
        peer = addon._peer
        if state["phase"] == "connecting":
            if addon.panel_draws == 0:
                if state["click"] > 60:
                    fail("the add-on's sidebar tab was never drawn")
                    return None
                click_next_tab_position(window, region)
                return 0.2
            if peer.status == "connected":
                state["phase"] = "waiting for a job"
                # The pointer leaves the sidebar (a hovered tab is redrawn).
                window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=area.x + 50, y=area.y + 50)
                write("ready.json", {"uuid": peer.config.client_uuid, "lines": addon.panel_lines()})
            return 0.1
        if state["phase"] == "waiting for a job":
            # Nothing here redraws the sidebar: only the add-on's own request
            # after the job's end can put the finished job on screen.
            if any(line.endswith("s") and ": completed in " in line for line in addon.drawn_lines):
                finish(window, area)
                return None
            return 0.05
    except Exception:
        fail(traceback.format_exc())
        return None
    return 0.1


bpy.app.timers.register(tick, first_interval=0.5)
