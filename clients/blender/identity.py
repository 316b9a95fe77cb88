"""The Blender peer's identity: which uuid it registers as.

Identities live in slot files in Blender's config directory:
`blender_bus_client_uuid`, `blender_bus_client_uuid.1`, `.2`, … Each holds one
sticky uuid, generated on first use. A peer (a headless worker, the desktop
add-on) takes the first slot no other running peer holds and keeps an
exclusive `fcntl.flock` on it for as long as it runs, so N workers started
the same way on one machine are N clients, and a restarted worker takes its
slot, and so its uuid, again. The kernel drops the lock when the process
ends, however it ends.

The uuid is written into the locked file in place (not write-then-rename: a
rename would swap the inode under the lock). It is one short write, done
once, while the lock is held.
"""

import fcntl
import itertools
import os
import uuid
from typing import Optional

UUID_FILE_NAME = "blender_bus_client_uuid"


class SlotBusy(Exception):
    """The slot file is locked by another running peer."""


def default_config_dir() -> str:
    """Blender's user config directory; Blender only."""
    import bpy  # only available inside Blender

    return bpy.utils.user_resource("CONFIG")


def slot_path(directory: str, index: int) -> str:
    name = UUID_FILE_NAME if index == 0 else f"{UUID_FILE_NAME}.{index}"
    return os.path.join(os.path.expanduser(directory), name)


def new_client_uuid() -> str:
    return f"blender-{uuid.uuid4()}"


class Slot:
    """A claimed slot file: its path, its uuid, and the descriptor that
    holds the lock (closing it releases the slot)."""

    def __init__(self, path: str, client_uuid: str, fd: int) -> None:
        self.path = path
        self.client_uuid = client_uuid
        self._fd: Optional[int] = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # drops the flock
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def claim_slot(path: str) -> Slot:
    """Locks the slot file at `path` (created if missing) and returns it with
    its uuid, writing a new one into an empty file. Raises SlotBusy when
    another peer holds it."""
    path = os.path.expanduser(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise SlotBusy(path) from None
    try:
        stored = _read_all(fd).decode("utf-8", errors="replace").strip()
        if not stored:
            stored = new_client_uuid()
            os.ftruncate(fd, 0)
            os.pwrite(fd, (stored + "\n").encode("utf-8"), 0)
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        raise
    return Slot(path, stored, fd)


def claim_first_free_slot(directory: str) -> Slot:
    """The first slot in `directory` that no running peer holds (slots this
    process holds count as held)."""
    for index in itertools.count():
        try:
            return claim_slot(slot_path(directory, index))
        except SlotBusy:
            continue
    raise AssertionError("unreachable")


def _read_all(fd: int) -> bytes:
    chunks = []
    offset = 0
    while True:
        chunk = os.pread(fd, 4096, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


class Identity:
    """The uuid a peer registers as, the slot it holds for it (none for a
    uuid given as is), and where it finds a fresh slot when another session
    takes its uuid over."""

    def __init__(self, client_uuid: str, slot: Optional[Slot], slot_directory: Optional[str]) -> None:
        self.client_uuid = client_uuid
        self.slot = slot
        self.slot_directory = slot_directory

    @classmethod
    def first_free_slot(cls, directory: str) -> "Identity":
        slot = claim_first_free_slot(directory)
        return cls(slot.client_uuid, slot, directory)

    @classmethod
    def from_file(cls, path: str, slot_directory: Optional[str]) -> "Identity":
        """`--uuid-file PATH`: that file is the slot. Raises SlotBusy."""
        slot = claim_slot(path)
        return cls(slot.client_uuid, slot, slot_directory)

    @classmethod
    def fixed(cls, client_uuid: str, slot_directory: Optional[str]) -> "Identity":
        """`--uuid U`: no slot; U as is."""
        return cls(client_uuid, None, slot_directory)

    @property
    def slot_path(self) -> Optional[str]:
        return self.slot.path if self.slot else None

    def move_to_fresh_slot(self) -> Optional[str]:
        """Takes the first free slot of the slot directory (the one held now
        is not free, so it is never taken again) and releases the old one.
        Returns the new uuid; None without a slot directory."""
        if self.slot_directory is None:
            return None
        fresh = claim_first_free_slot(self.slot_directory)
        if self.slot is not None:
            self.slot.release()
        self.slot = fresh
        self.client_uuid = fresh.client_uuid
        return self.client_uuid

    def release(self) -> None:
        if self.slot is not None:
            self.slot.release()
