"""Desktop Blender UI: preferences, connect/disconnect operators, and the
timer that runs queued jobs on Blender's main thread."""

import atexit
import logging
import socket

import bpy
from bpy.props import BoolProperty, StringProperty
from bpy.types import AddonPreferences, Operator

from .auth import NoToken, StaticToken, TokenFile
from .bus_peer import BusPeer, PeerConfig
from .identity import default_uuid_path, load_or_create_uuid
from .server_address import ServerAddress

log = logging.getLogger("blender_bus")

# The add-on's one connection. Module state on purpose: Blender's operators
# and timers are plain functions and need somewhere to find it.
_peer = None

JOB_POLL_SECONDS = 0.1


def _preferences(context=None):
    context = context or bpy.context
    return context.preferences.addons[__package__].preferences


def _auth_for(prefs, server):
    if prefs.token.strip():
        return StaticToken(prefs.token)
    if prefs.token_file.strip():
        return TokenFile(bpy.path.abspath(prefs.token_file), server)
    return NoToken()


def connect(prefs) -> None:
    global _peer
    disconnect()
    ca_file = bpy.path.abspath(prefs.ca_file) if prefs.ca_file.strip() else None
    server = ServerAddress(prefs.server_url, ca_file=ca_file)
    capabilities = [c.strip() for c in prefs.capabilities.split(",") if c.strip()]
    config = PeerConfig(server_url=server.base_url, ca_file=ca_file,
                        client_uuid=load_or_create_uuid(default_uuid_path()),
                        group_id=prefs.group_id.strip() or None,
                        capabilities=capabilities,
                        label=socket.gethostname())
    _peer = BusPeer(config, _auth_for(prefs, server))
    _peer.start()
    if not bpy.app.timers.is_registered(_run_queued_jobs):
        bpy.app.timers.register(_run_queued_jobs, first_interval=JOB_POLL_SECONDS, persistent=True)


def disconnect() -> None:
    global _peer
    peer, _peer = _peer, None
    if peer is not None:
        peer.stop(timeout=2.0)


def _run_queued_jobs():
    """bpy.app.timers callback, on the main thread: where scripts may use bpy."""
    if _peer is None:
        return None  # unregisters the timer
    _peer.run_pending_jobs()
    return JOB_POLL_SECONDS


def _status_text() -> str:
    if _peer is None:
        return "Disconnected"
    text = f"{_peer.status.capitalize()} as {_peer.config.client_uuid}"
    if _peer.last_error:
        text += f" ({_peer.last_error[:80]})"
    return text


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
                               description="File holding the token, as written by `blender-bus login`")
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
        layout.label(text=_status_text())


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


CLASSES = (BlenderBusPreferences, BLENDER_BUS_OT_connect, BLENDER_BUS_OT_disconnect)


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
