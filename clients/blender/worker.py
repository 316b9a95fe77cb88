"""Headless Blender worker for the blender-bus.

    blender -b --python clients/blender/worker.py -- \\
        --server http://127.0.0.1:8000 --token-file ~/.config/blender-bus/credentials.json \\
        [--group render-cluster] [--uuid-file PATH | --uuid U] [--capabilities a,b] [--label NAME]
        [--ca-file CA.pem]

Registers as a persistent `blender` client, runs every `job_dispatch` it
receives on this (Blender's main) thread, and answers with
`blender_job_update`. Its uuid comes from the first free identity slot in
Blender's config directory (identity.py), so workers started the same way
are distinct clients. Runs until SIGTERM or SIGINT; a second signal
interrupts the job in progress.
"""

import argparse
import importlib
import importlib.util
import logging
import os
import signal
import socket
import sys

PACKAGE_NAME = "blender_bus_client"


def load_package():
    """Imports this directory as the package `blender_bus_client`, whatever
    the directory is called, so its modules' relative imports work when this
    file is run as a plain script (blender --python)."""
    if PACKAGE_NAME in sys.modules:
        return sys.modules[PACKAGE_NAME]
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        PACKAGE_NAME, os.path.join(here, "__init__.py"), submodule_search_locations=[here])
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE_NAME] = package
    spec.loader.exec_module(package)
    return package


def script_arguments(argv):
    """Blender passes everything; ours follow `--`."""
    return argv[argv.index("--") + 1:] if "--" in argv else argv[1:]


def parse_arguments(args):
    parser = argparse.ArgumentParser(
        prog="blender -b --python worker.py --",
        description="Run Blender as a headless blender-bus worker.")
    parser.add_argument("--server", required=True,
                        help="server base URL, e.g. http://127.0.0.1:8000 or https://bus.example.org")
    parser.add_argument("--ca-file",
                        help="for an https:// server: PEM file of the CA that signed its certificate, "
                             "trusted instead of the system's CAs")
    parser.add_argument("--token-file", help="file with the bearer token (bare, or JSON with access_token/refresh_token)")
    parser.add_argument("--username", help="log in with this user instead of a token file")
    parser.add_argument("--password-file",
                        help="file with the password for --username (default: $BLENDER_BUS_PASSWORD)")
    parser.add_argument("--group", help="group_id to join, e.g. render-cluster")
    parser.add_argument("--capabilities", default="python_execution",
                        help="comma-separated capabilities (default: python_execution)")
    identity = parser.add_mutually_exclusive_group()
    identity.add_argument("--uuid-file",
                          help="keep this worker's sticky uuid in this file, locked while it runs "
                               "(default: the first free slot blender_bus_client_uuid[.N] in "
                               "Blender's config directory)")
    identity.add_argument("--uuid", help="use this client uuid as is (no slot)")
    parser.add_argument("--label", default=socket.gethostname(),
                        help="a human name for this worker, shown in client listings (default: the host name)")
    parser.add_argument("--verbose", action="store_true", help="log debug details")
    return parser.parse_args(args)


def make_identity(options):
    """The uuid to register as, and the slot that keeps it (identity.py)."""
    from blender_bus_client.identity import Identity, SlotBusy, default_config_dir

    slots = default_config_dir()
    if options.uuid:
        return Identity.fixed(options.uuid, slots)
    if options.uuid_file:
        try:
            return Identity.from_file(options.uuid_file, slots)
        except SlotBusy:
            raise SystemExit(f"--uuid-file {options.uuid_file} is held by another running worker or "
                             "add-on: give each its own file, or leave the option out to take the "
                             "next free slot")
    return Identity.first_free_slot(slots)


def make_auth(options, server):
    from blender_bus_client import auth

    if options.username:
        if options.password_file:
            with open(os.path.expanduser(options.password_file), encoding="utf-8") as f:
                password = f.read().rstrip("\r\n")
        else:
            password = os.environ.get("BLENDER_BUS_PASSWORD", "")
        if not password:
            raise SystemExit("--username needs --password-file or $BLENDER_BUS_PASSWORD")
        return auth.PasswordLogin(server, options.username, password)
    if options.token_file:
        try:
            return auth.TokenFile(options.token_file, server)
        except (OSError, ValueError) as exc:
            raise SystemExit(f"cannot read token file {options.token_file}: {exc}")
    return auth.NoToken()  # a server started with --auth none


def configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("blender-bus worker: %(message)s"))
    logger = logging.getLogger("blender_bus")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False


def main(argv) -> int:
    load_package()
    from blender_bus_client.bus_peer import BusPeer, PeerConfig
    from blender_bus_client.server_address import ServerAddress

    options = parse_arguments(script_arguments(argv))
    configure_logging(options.verbose)
    log = logging.getLogger("blender_bus")

    try:
        server = ServerAddress(options.server, ca_file=options.ca_file)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise SystemExit(f"--server {options.server} / --ca-file {options.ca_file}: {exc}")
    identity = make_identity(options)

    def on_displaced(old_uuid):
        fresh = identity.move_to_fresh_slot()
        if fresh:
            log.info("identity slot %s (uuid %s)", identity.slot_path, fresh)
        return fresh

    capabilities = [c.strip() for c in options.capabilities.split(",") if c.strip()]
    peer = BusPeer(PeerConfig(server_url=server.base_url, client_uuid=identity.client_uuid, ca_file=options.ca_file,
                              group_id=options.group, capabilities=capabilities,
                              label=options.label or None),
                   make_auth(options, server), on_displaced=on_displaced)

    signals_seen = []

    def on_signal(signum, _frame):
        signals_seen.append(signum)
        if len(signals_seen) == 1:
            log.info("%s: stopping after the current job", signal.Signals(signum).name)
        else:
            raise KeyboardInterrupt  # reaches the running job, which then fails

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    log.info("worker %s starting (server %s, identity %s)", identity.client_uuid, server.base_url,
             identity.slot_path or "given with --uuid")
    peer.start()
    try:
        while not signals_seen:
            peer.run_next_job(timeout=0.2)
    except KeyboardInterrupt:
        pass  # a second signal while idle: just stop
    finally:
        peer.stop()
        identity.release()
    return 0


if __name__ == "__main__":
    exit_code = main(sys.argv)
    if exit_code:
        sys.exit(exit_code)
