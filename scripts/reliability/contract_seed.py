"""Seeds a fresh server for contract fuzzing, through the public API only.

Three members (ada, bob, cleo) become a small network: ada and bob are
contacts, bob and cleo are contacts, ada has asked to be introduced to cleo
through bob, cleo has a pending contact request to ada, ada runs a page
with an office and a service where bob states a position, wrote a post
that bob commented, and ada and bob have a conversation. The
fuzzer then reaches real objects and not only 404s.

Writes, into the directory given, the configuration of each run
(`anonymous.toml`, `signed-in.toml`): dictionaries of the real handles and
ids, each drawn half of the time for its parameter; signed in, ada's bearer
token, and a second token of hers spent on `DELETE /api/v1/sessions/current`
so that the first survives.

Usage: contract_seed.py BASE_URL OUT_DIR
"""

import json
import sys
import urllib.error
import urllib.request

BASE, OUT = sys.argv[1].rstrip("/"), sys.argv[2]
PASSWORD = "contract fuzzing passphrase 7"


def call(method, path, body=None, token=None, expect=(200, 201, 204)):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    if status not in expect:
        sys.exit(f"seed: {method} {path} answered {status}: {raw[:300]!r}")
    return json.loads(raw) if raw else None


def member(handle, name):
    call("POST", "/api/v1/accounts", {
        "email": f"{handle}@example.org",
        "password": PASSWORD,
        "handle": handle,
        "name": name,
        "locale": "en",
    })
    return sign_in(handle)


def sign_in(handle):
    session = call("POST", "/api/v1/sessions",
                   {"email": f"{handle}@example.org", "password": PASSWORD})
    return session["token"]


def connect(a, b, b_handle):
    """a asks b with an invitation code of b's; b accepts."""
    code = call("POST", "/api/v1/invitation-codes", token=b)["code"]
    request = call("POST", "/api/v1/contact-requests",
                   {"to": b_handle, "invitation_code": code}, token=a)
    call("POST", f"/api/v1/contact-requests/{request['id']}/accept", token=b)


ada = member("ada", "Ada Lovelace")
bob = member("bob", "Bob Martin")
cleo = member("cleo", "Cleo Durand")
ada_current = sign_in("ada")

connect(ada, bob, "bob")
connect(bob, cleo, "cleo")
code = call("POST", "/api/v1/invitation-codes", token=ada)["code"]
pending = call("POST", "/api/v1/contact-requests",
               {"to": "ada", "invitation_code": code, "message": "Hello Ada"}, token=cleo)
intro = call("POST", "/api/v1/introductions",
             {"to": "cleo", "via": ["bob"], "note": "Could you introduce me?"}, token=ada)
call("POST", "/api/v1/pages",
     {"kind": "organization", "handle": "analytical", "name": "Analytical Engines"}, token=ada)
post = call("POST", "/api/v1/posts", {"text": "First post", "audience": "public"}, token=ada)
call("POST", f"/api/v1/posts/{post['id']}/comments", {"text": "Welcome"}, token=bob)
office = call("POST", "/api/v1/pages/analytical/offices",
              {"name": "Head office", "address": "1 Engine Street", "town": "London"}, token=ada)
service = call("POST", "/api/v1/pages/analytical/services", {"name": "Computing"}, token=ada)
position = call("POST", "/api/v1/profiles/bob/positions",
                {"title": "Engineer", "organization": "analytical"}, token=bob)
spare_code = call("POST", "/api/v1/invitation-codes", token=ada)["code"]
conversation = call("POST", "/api/v1/conversations", {"with": ["bob"]}, token=ada)
call("POST", f"/api/v1/conversations/{conversation['id']}/messages", {"text": "Hi Bob"}, token=ada)
call("POST", "/api/v1/groups",
     {"handle": "engines", "name": "Engine builders", "kind": "open", "tags": ["engines"]}, token=ada)
call("POST", "/api/v1/groups/engines/members", token=bob)
group_post = call("POST", "/api/v1/posts",
                  {"text": "Gears or punched cards?", "audience": "group:engines"}, token=bob)


def toml(value):
    # JSON strings and lists of strings are valid TOML.
    return json.dumps(value)


dictionaries = {
    "handles": ["ada", "bob", "cleo", "analytical", "engines"],
    "posts": [str(post["id"]), str(group_post["id"])],
    "conversations": [str(conversation["id"])],
    "requests": [str(pending["id"])],
    "introductions": [str(intro["id"])],
    "offices": [str(office["id"])],
    "services": [str(service["id"])],
    "positions": [str(position["id"])],
    "codes": [spare_code],
    # A cursor is opaque: only one a list handed out is valid, and no
    # schema can say which. The empty one (the first page) is always valid.
    "cursors": [""],
}
# Path ids, by the path they are in: half of the time a real one.
id_dictionaries = [
    ("^/api/v1/posts/\\{id\\}", "posts"),
    ("^/api/v1/conversations/\\{id\\}", "conversations"),
    ("^/api/v1/contact-requests/\\{id\\}", "requests"),
    ("^/api/v1/introductions/\\{id\\}", "introductions"),
    ("^/api/v1/pages/\\{handle\\}/offices/\\{id\\}", "offices"),
    ("^/api/v1/pages/\\{handle\\}/services/\\{id\\}", "services"),
    ("^/api/v1/pages/\\{handle\\}/positions/\\{id\\}", "positions"),
    ("^/api/v1/profiles/\\{handle\\}/positions/\\{id\\}", "positions"),
]
# Other path parameters, by name: half of the time a real one.
named_dictionaries = [("path.member", "handles"), ("path.post", "posts")]


# Operations where data the document allows may still be refused 422 for
# what is stored or what no schema can say: the `positive_data_acceptance`
# check accepts 422 there (and only there). Every 422 is still checked
# against the document (listed, `{error, message}`).
STATE_DEPENDENT = [
    # A password among the most common ones, or equal to the handle, name
    # or e-mail address.
    ("POST", "/api/v1/accounts"),
    # `parent` must be an organization the member administers, and a brand
    # or a persona needs one.
    ("POST", "/api/v1/pages"),
    # `file` must be an image the server can decode.
    ("POST", "/api/v1/media"),
    # `publish_at` is for pages only; the text may be empty only with
    # images or a reshare; media ids must be the member's own uploads.
    ("POST", "/api/v1/posts"),
    # Only pages are followed; persons are reached as contacts.
    ("PUT", "/api/v1/follows/{handle}"),
    ("DELETE", "/api/v1/follows/{handle}"),
    # Not oneself.
    ("PUT", "/api/v1/blocks/{handle}"),
    # Which audiences a field may have depends on the kind of profile (a
    # page's name is public).
    ("PATCH", "/api/v1/profiles/{handle}"),
    # `media` must be the member's own upload that nothing holds.
    ("PUT", "/api/v1/groups/{handle}/cover"),
]
POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]


def config(headers, current_token=None):
    lines = []
    if headers:
        lines.append(f"headers = {{ Authorization = {toml(headers)} }}\n")
    for name, values in dictionaries.items():
        lines.append(f"[dictionaries.{name}]\nvalues = {toml(values)}\n")
    lines.append('[parameters]\n'
                 '"path.handle" = { dictionary = "handles", probability = 0.5 }\n'
                 '"path.member_handle" = { dictionary = "handles", probability = 0.5 }\n'
                 '"path.code" = { dictionary = "codes", probability = 0.5 }\n'
                 '"query.cursor" = { dictionary = "cursors", probability = 1.0 }\n')
    for param, name in named_dictionaries:
        lines.append(f'"{param}" = {{ dictionary = "{name}", probability = 0.5 }}\n')
    if current_token:
        # Signing out ends the session that asks: a token of its own.
        lines.append('[[operations]]\ninclude-path = "/api/v1/sessions/current"\n'
                     f'headers = {{ Authorization = {toml("Bearer " + current_token)} }}\n')
    for method, path in STATE_DEPENDENT:
        lines.append(f"[[operations]]\ninclude-path = {toml(path)}\ninclude-method = {toml(method)}\n"
                     "checks.positive_data_acceptance.expected-statuses = "
                     f"{toml(POSITIVE_STATUSES)}\n")
    for regex, name in id_dictionaries:
        lines.append(f"[[operations]]\ninclude-path-regex = {toml(regex)}\n"
                     f'parameters = {{ "path.id" = {{ dictionary = "{name}", probability = 0.5 }} }}\n')
    return "\n".join(lines)


with open(f"{OUT}/anonymous.toml", "w") as f:
    f.write(config(None))
with open(f"{OUT}/signed-in.toml", "w") as f:
    f.write(config(f"Bearer {ada}", ada_current))
print("seeded: 3 members, contacts, an introduction, a page with an office, a service and a "
      "position, a post with a comment, a conversation, an open group with a post")
