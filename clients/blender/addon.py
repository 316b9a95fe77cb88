"""Desktop Blender UI: preferences, connect/disconnect operators, the timer
that runs queued jobs on Blender's main thread, and a sidebar panel in the
3D view (N key, tab "Blender Bus") with the status, the uuid and the last
jobs."""

import atexit
import logging
import socket

import bpy
from bpy.props import BoolProperty, StringProperty
from bpy.types import AddonPreferences, Operator, Panel

from .auth import NoToken, StaticToken, TokenFile
from .bus_peer import BusPeer, PeerConfig
from .identity import Identity, default_config_dir
from .server_address import ServerAddress

log = logging.getLogger("blender_bus")

# The add-on's one connection and the identity slot it holds while connected.
# Module state on purpose: Blender's operators, timers and panels are plain
# functions and classes and need somewhere to find them.
_peer = None
_identity = None
# Set from any thread when what the panel shows changed; the main-thread
# timer then asks Blender to redraw (bpy may not be touched off the main thread).
_redraw_wanted = False
# What Blender last drew in the panel, and how often it drew it: lets a test
# see that the panel follows the state (nothing else redraws a sidebar).
panel_draws = 0
drawn_lines = []

JOB_POLL_SECONDS = 0.1
# Areas showing something of ours: the 3D view's sidebar, the preferences.
REDRAWN_AREAS = {"VIEW_3D", "PREFERENCES"}


def _preferences(context=None):
    context = context or bpy.context
    return context.preferences.addons[__package__].preferences


def _auth_for(prefs, server):
    if prefs.token.strip():
        return StaticToken(prefs.token)
    if prefs.token_file.strip():
        return TokenFile(bpy.path.abspath(prefs.token_file), server)
    return NoToken()


def _state_changed():
    global _redraw_wanted
    _redraw_wanted = True


def _moved_after_displacement(old_uuid):
    """Another Blender registered our uuid: take this machine's next free slot."""
    return _identity.move_to_fresh_slot() if _identity is not None else None


def connect(prefs) -> None:
    global _peer, _identity
    disconnect()
    ca_file = bpy.path.abspath(prefs.ca_file) if prefs.ca_file.strip() else None
    server = ServerAddress(prefs.server_url, ca_file=ca_file)
    capabilities = [c.strip() for c in prefs.capabilities.split(",") if c.strip()]
    _identity = Identity.first_free_slot(default_config_dir())
    config = PeerConfig(server_url=server.base_url, ca_file=ca_file,
                        client_uuid=_identity.client_uuid,
                        group_id=prefs.group_id.strip() or None,
                        capabilities=capabilities,
                        label=socket.gethostname())
    try:
        _peer = BusPeer(config, _auth_for(prefs, server), on_displaced=_moved_after_displacement,
                        on_change=_state_changed)
    except BaseException:
        _identity.release()
        _identity = None
        raise
    _peer.start()
    _state_changed()
    if not bpy.app.timers.is_registered(_run_queued_jobs):
        bpy.app.timers.register(_run_queued_jobs, first_interval=JOB_POLL_SECONDS, persistent=True)


def disconnect() -> None:
    global _peer, _identity
    peer, _peer = _peer, None
    identity, _identity = _identity, None
    if peer is not None:
        peer.stop(timeout=2.0)
    if identity is not None:
        identity.release()
    _state_changed()


def _redraw_our_areas() -> None:
    wm = bpy.context.window_manager
    if wm is None:
        return
    for window in wm.windows:
        for area in window.screen.areas:
            if area.type in REDRAWN_AREAS:
                area.tag_redraw()


def _run_queued_jobs():
    """bpy.app.timers callback, on the main thread: where scripts may use bpy,
    and where the panel's redraw is asked for."""
    global _redraw_wanted
    if _redraw_wanted:
        _redraw_wanted = False
        _redraw_our_areas()
    if _peer is None:
        return None  # unregisters the timer
    _peer.run_pending_jobs()
    return JOB_POLL_SECONDS


def status_text() -> str:
    if _peer is None:
        return "Disconnected"
    text = f"{_peer.status.capitalize()} as {_peer.config.client_uuid}"
    if _peer.last_error:
        text += f" ({_peer.last_error[:80]})"
    return text


STATUS_ICONS = {"connected": "CHECKMARK", "connecting": "SORTTIME", "reconnecting": "SORTTIME",
                "displaced": "ERROR"}
JOB_ICONS = {"completed": "CHECKMARK", "failed": "CANCEL", "running": "PLAY"}


def panel_rows():
    """What the sidebar panel shows, as (text, detail, icon) rows: the status,
    the uuid, the group, then the last jobs (job id; "<status> in <s>s")."""
    if _peer is None:
        return [("Status: disconnected", "", "UNLINKED")]
    rows = [(f"Status: {_peer.status}", "", STATUS_ICONS.get(_peer.status, "UNLINKED")),
            (f"Client: {_peer.config.client_uuid}", "", "NONE"),
            (f"Group: {_peer.config.group_id or '-'}", "", "NONE")]
    if _peer.last_error:
        rows.append((f"Problem: {_peer.last_error[:80]}", "", "ERROR"))
    jobs = list(_peer.recent_jobs)
    rows.append(("Last jobs:" if jobs else "No jobs yet", "", "NONE"))
    for job in jobs:
        done = f" in {job.seconds:.2f}s" if job.status != "running" else ""
        rows.append((job.job_id, f"{job.status}{done}", JOB_ICONS.get(job.status, "NONE")))
    return rows


def _line(row):
    text, detail, _ = row
    return f"{text}: {detail}" if detail else text


def panel_lines():
    """The panel's text, line by line ("<job id>: <status> in <s>s" for a job)."""
    return [_line(row) for row in panel_rows()]


class BlenderBusPreferences(AddonPreferences):
    bl_idname = __package__

    server_url: StringProperty(name="Server URL", default="http://127.0.0.1:8000",
                               description="Base address of the blender-bus server")
    token: StringProperty(name="Token", subtype="PASSWORD",
                          description="Bearer token (leave empty to use the token file)")
    ca_file: StringProperty(name="CA file", subtype="FILE_PATH",
                            description="For an https:// server whose certificate a private CA signed: "
                                        "that CA's certificate (PEM). Empty: the system's CAs")
    token_file: StringProperty(name="Token file", subtype="FILE_PATH",
                               description="File holding the token, e.g. the credentials.json "
                                           "`blender-bus login` writes")
    group_id: StringProperty(name="Group", description="Group to join, e.g. render-cluster")
    capabilities: StringProperty(name="Capabilities", default="python_execution",
                                 description="Comma-separated capabilities announced to the bus")
    connect_on_startup: BoolProperty(name="Connect on startup", default=False)

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "server_url")
        layout.prop(self, "ca_file")
        layout.prop(self, "token")
        layout.prop(self, "token_file")
        layout.prop(self, "group_id")
        layout.prop(self, "capabilities")
        layout.prop(self, "connect_on_startup")
        row = layout.row()
        row.operator(BLENDER_BUS_OT_connect.bl_idname, icon="LINKED")
        row.operator(BLENDER_BUS_OT_disconnect.bl_idname, icon="UNLINKED")
        layout.label(text=status_text())


class VIEW3D_PT_blender_bus(Panel):
    """The 3D view's sidebar tab: connection, identity, last jobs."""

    bl_idname = "VIEW3D_PT_blender_bus"
    bl_label = "Blender Bus"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Blender Bus"

    def draw(self, context):
        global panel_draws, drawn_lines
        rows = panel_rows()
        panel_draws += 1
        drawn_lines = [_line(row) for row in rows]
        layout = self.layout
        for text, detail, icon in rows:
            if detail:  # a job: its id, and beside it how it went
                split = layout.split(factor=0.5)
                split.label(text=text, icon=icon)
                split.label(text=detail)
            else:
                layout.label(text=text, icon=icon)
        if _peer is None:
            layout.operator(BLENDER_BUS_OT_connect.bl_idname, icon="LINKED")
        else:
            layout.operator(BLENDER_BUS_OT_disconnect.bl_idname, icon="UNLINKED")


class BLENDER_BUS_OT_connect(Operator):
    """Connect to the blender-bus server and wait for jobs"""

    bl_idname = "blender_bus.connect"
    bl_label = "Connect"

    def execute(self, context):
        try:
            connect(_preferences(context))
        except (OSError, ValueError) as exc:
            self.report({"ERROR"}, f"blender-bus: {exc}")
            return {"CANCELLED"}
        self.report({"INFO"}, "blender-bus: connecting")
        return {"FINISHED"}


class BLENDER_BUS_OT_disconnect(Operator):
    """Disconnect from the blender-bus server"""

    bl_idname = "blender_bus.disconnect"
    bl_label = "Disconnect"

    def execute(self, context):
        disconnect()
        return {"FINISHED"}


def _connect_at_startup():
    prefs = _preferences()
    if prefs.connect_on_startup and _peer is None:
        try:
            connect(prefs)
        except (OSError, ValueError) as exc:
            log.warning("blender-bus: could not connect at startup: %s", exc)
    return None


CLASSES = (BlenderBusPreferences, VIEW3D_PT_blender_bus, BLENDER_BUS_OT_connect,
           BLENDER_BUS_OT_disconnect)


def register():
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("blender-bus: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    # Preferences are readable only once registration is over.
    bpy.app.timers.register(_connect_at_startup, first_interval=0.5)
    atexit.register(disconnect)


def unregister():
    disconnect()
    atexit.unregister(disconnect)
    if bpy.app.timers.is_registered(_run_queued_jobs):
        bpy.app.timers.unregister(_run_queued_jobs)
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
