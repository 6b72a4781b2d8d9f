"""Runs localstripe (PyPI `localstripe`, pinned to 1.15.10 in .ci/run) for
tally's tests: bound to 127.0.0.1 on a free port, its pickle store in the
test's own folder, empty at start.

localstripe's own command listens on every interface and keeps its state in
/tmp/localstripe.pickle, shared by every run; this starts the same aiohttp
app with those two things changed (read from localstripe's server.py and
resources.py, 1.15.10). Usage:

    python3 localstripe_server.py STORE_FILE

The first line on standard output is the port.
"""

import logging
import pickle
import socket
import sys

from aiohttp import web

from localstripe import resources, server


def main():
    path = sys.argv[1]

    def dump_to_disk(self):
        with open(path, "wb") as f:
            pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)

    def try_load_from_disk(self):
        pass  # every test starts empty

    resources.Store.dump_to_disk = dump_to_disk
    resources.Store.try_load_from_disk = try_load_from_disk

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    logging.basicConfig(level=logging.WARNING)
    web.run_app(server.app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main()
