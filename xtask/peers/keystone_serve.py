"""Serve the Keystone WSGI application on 127.0.0.1 (used by keystone.sh).

usage: python keystone_serve.py HOST PORT CONFIG_FILE

Runs inside the Keystone venv.  Keystone's oslo.config parses sys.argv when
the application is initialised, so sys.argv is reset before importing it.
Werkzeug (a Flask dependency, so always present) provides a threaded
HTTP/1.1 server.
"""

import os
import sys


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    host, port, config = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.stderr.write("refusing to bind a non-loopback address: %s\n" % host)
        return 2
    os.environ["OS_KEYSTONE_CONFIG_DIR"] = os.path.dirname(os.path.abspath(config))
    os.environ["OS_KEYSTONE_CONFIG_FILES"] = os.path.basename(config)
    sys.argv = [sys.argv[0]]

    from keystone.server import wsgi as keystone_wsgi
    from werkzeug.serving import make_server

    application = keystone_wsgi.initialize_public_application()
    server = make_server(host, port, application, threaded=True)
    sys.stderr.write("keystone listening on http://%s:%d\n" % (host, port))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
