"""blender-bus: Blender's side of the bus (add-on and headless worker).

Blender reads `bl_info` without importing; `register()` pulls in the UI
(which needs bpy) only then, so the rest of this package (the MCP client,
the job runner) imports anywhere: in the headless worker and in tests.
"""

bl_info = {
    "name": "Blender Bus",
    "author": "blender-bus contributors",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "Edit > Preferences > Add-ons > Blender Bus",
    "description": "Runs Python jobs sent by AI assistants over the blender-bus MCP server",
    "category": "System",
}


def register():
    from . import addon

    addon.register()


def unregister():
    from . import addon

    addon.unregister()
