"""The Blender peer's sticky uuid.

Generated once and kept in a small file, so that a restarted Blender comes
back as the same persistent client (same inbox, same place in the list).
In Blender the file lives in the user's config directory; tests and
headless workers sharing one machine pass their own path.
"""

import os
import uuid

UUID_FILE_NAME = "blender_bus_client_uuid"


def default_uuid_path() -> str:
    """`<Blender config dir>/blender_bus_client_uuid`; Blender only."""
    import bpy  # only available inside Blender

    config_dir = bpy.utils.user_resource("CONFIG")
    return os.path.join(config_dir, UUID_FILE_NAME)


def new_client_uuid() -> str:
    return f"blender-{uuid.uuid4()}"


def load_or_create_uuid(path: str) -> str:
    """The uuid stored at `path`; a new one is written there if the file is
    missing or empty."""
    path = os.path.expanduser(path)
    try:
        with open(path, encoding="utf-8") as f:
            stored = f.read().strip()
        if stored:
            return stored
    except FileNotFoundError:
        pass
    client_uuid = new_client_uuid()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    # Write-then-rename so a crash never leaves a half-written id behind.
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(client_uuid + "\n")
    os.replace(tmp, path)
    return client_uuid
