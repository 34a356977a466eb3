"""Register extra services/endpoints in a running Keystone (used by keystone.sh).

usage: python keystone_catalog.py AUTH_URL USER PASSWORD PROJECT REGION SWIFT_PORT

Idempotent: existing services (matched by type) are reused, endpoints are
created when missing and their URL is updated when it differs.  Talks to the
Identity v3 API with the standard library only.
"""

import json
import sys
import urllib.error
import urllib.request

# (type, name, description, URL template); $(project_id)s is substituted by
# Keystone when it renders a token's catalog.
SERVICES = [
    ("object-store", "swift", "Object Storage (real Swift peer)",
     "http://127.0.0.1:{swift_port}/v1/AUTH_$(project_id)s"),
    ("compute", "nova", "Compute (dummy endpoint)",
     "http://127.0.0.1:8774/v2.1"),
    ("image", "glance", "Image (dummy endpoint)",
     "http://127.0.0.1:9292"),
    ("network", "neutron", "Network (dummy endpoint)",
     "http://127.0.0.1:9696"),
    ("volumev3", "cinderv3", "Block Storage v3 (dummy endpoint)",
     "http://127.0.0.1:8776/v3/$(project_id)s"),
]
INTERFACES = ("public", "internal", "admin")


def call(method, url, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, resp.headers, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as err:
        raise SystemExit("%s %s -> HTTP %s: %s" % (method, url, err.code, err.read()[:500]))


def main():
    if len(sys.argv) != 7:
        sys.stderr.write(__doc__)
        return 2
    auth_url, user, password, project, region, swift_port = sys.argv[1:]
    auth_url = auth_url.rstrip("/")
    _, headers, _ = call("POST", auth_url + "/auth/tokens", body={
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"id": "default"}}},
        }})
    token = headers["X-Subject-Token"]

    changed = 0
    for stype, name, desc, url_tpl in SERVICES:
        url = url_tpl.format(swift_port=swift_port)
        _, _, listing = call("GET", auth_url + "/services?type=" + stype, token)
        if listing["services"]:
            service_id = listing["services"][0]["id"]
        else:
            _, _, created = call("POST", auth_url + "/services", token, {
                "service": {"type": stype, "name": name, "description": desc,
                            "enabled": True}})
            service_id = created["service"]["id"]
            changed += 1
        _, _, eps = call("GET", auth_url + "/endpoints?service_id=" + service_id, token)
        by_iface = {e["interface"]: e for e in eps["endpoints"]
                    if e.get("region_id") == region}
        for iface in INTERFACES:
            ep = by_iface.get(iface)
            if ep is None:
                call("POST", auth_url + "/endpoints", token, {"endpoint": {
                    "service_id": service_id, "interface": iface, "url": url,
                    "region_id": region, "enabled": True}})
                changed += 1
            elif ep["url"] != url:
                call("PATCH", auth_url + "/endpoints/" + ep["id"], token,
                     {"endpoint": {"url": url}})
                changed += 1
    sys.stderr.write("[keystone] catalog: %d services ensured, %d changes\n"
                     % (len(SERVICES), changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
