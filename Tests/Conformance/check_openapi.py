#!/usr/bin/env python3
"""Checks that the real counter-hub answers what docs/openapi.yaml promises.

Starts counter-hub on a scratch data directory, drives every endpoint once (time, enroll,
feed, events with a shift close and its reconciliation, an unauthorized call, the admin export,
a revoked device) and validates each JSON answer against the component schema the contract names
for it. Usage: check_openapi.py docs/openapi.yaml PATH/TO/counter-hub
"""
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

spec = yaml.safe_load(open(sys.argv[1]))
hub = sys.argv[2]
schemas = spec["components"]["schemas"]
registry = Registry().with_resource(
    "urn:spec", Resource.from_contents({"components": {"schemas": schemas}}, default_specification=DRAFT202012))
failures = 0
checks = 0


def check(name, instance):
    global failures, checks
    checks += 1
    errors = list(OAS31Validator({"$ref": f"urn:spec#/components/schemas/{name}"}, registry=registry).iter_errors(instance))
    print(("ok   " if not errors else "FAIL ") + name)
    for error in errors[:5]:
        print(f"     {error.json_path}: {error.message[:300]}")
    failures += bool(errors)


data = tempfile.mkdtemp(prefix="counter-hub-conformance-")


def admin(*arguments):
    return subprocess.run([hub, *arguments, "--data", data], capture_output=True, text=True, check=True).stdout


admin("shop", "create", "--id", "S1", "--name", "Conformance")
admin("campaign", "create", "--id", "C", "--title", "t", "--product", "p", "--face-value", "1.00", "--valid-days", "3")
tokens = [json.loads(line) for line in admin("tokens", "issue", "--campaign", "C", "--count", "2", "--json").splitlines()]
admin("tokens", "revoke", tokens[1]["token_id"], "--reason", "refund")
# Staff: one with a PIN (read from standard input), one without.
admin("staff", "add", "--shop", "S1", "--id", "s-wang", "--name", "王芳", "--role", "cashier")
admin("staff", "add", "--shop", "S1", "--id", "s-li", "--name", "李强", "--role", "manager")
subprocess.run([hub, "staff", "pin", "s-wang", "--data", data], input="246810\n", capture_output=True, text=True, check=True)
code = admin("enroll-code", "--shop", "S1").strip()
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
server = subprocess.Popen([hub, "serve", "--data", data, "--listen", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL)


def call(method, path, body=None, token=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


try:
    for _ in range(100):
        try:
            status, answer = call("GET", "/v1/time")
            break
        except OSError:
            time.sleep(0.1)
    check("TimeResponse", answer)
    status, enrolled = call("POST", "/v1/enroll", {"enrollment_code": code, "device_name": "conformance"})
    check("EnrollResponse", enrolled)
    token = enrolled["device_token"]
    status, page = call("GET", "/v1/feed?limit=2", token=token)
    check("FeedPage", page)
    status, whole = call("GET", "/v1/feed?limit=100", token=token)
    check("FeedPage", whole)
    staff = {member["staff_id"]: member for member in whole["staff"]}
    assert set(staff) == {"s-wang", "s-li"} and staff["s-li"]["pin_verifier"] is None, staff
    assert staff["s-wang"]["pin_verifier"]["kdf"] == "pbkdf2-sha256" and "246810" not in json.dumps(whole), staff
    status, page = call("GET", "/v1/feed?limit=100&cursor=" + urllib.request.quote(page["next_cursor"]), token=token)
    check("FeedPage", page)
    # The live feed: nothing changes, so the held request ends after its wait with the quiet page.
    status, page = call("GET", "/v1/feed?wait=1&cursor=" + urllib.request.quote(page["next_cursor"]), token=token)
    assert status == 200 and page["live_feed_max_wait_seconds"] >= 1, (status, page)
    check("FeedPage", page)
    events = {"device_id": enrolled["device_id"], "events": [
        {"type": "redemption", "id": "019aa9d0-6c38-7d41-9a0e-3f2b6c1d8e47", "occurred_at": "2026-11-22T02:31:07Z",
         "clock_suspect": False, "device_sequence": 1, "token_id": tokens[0]["token_id"], "campaign_id": "C",
         "shop_id": "S1", "uses": 1, "via": "cache", "code_last4": "ABCD", "source": "conformance", "staff_id": "s-wang"},
        {"type": "rejection", "id": "019aa9d3-4b20-7c11-9d2e-6f7a8b9c0d1e", "occurred_at": "2026-11-22T02:35:12Z",
         "clock_suspect": False, "reason": "unknown_code", "code_hash": "a" * 64, "source": "conformance"},
        {"type": "void", "id": "019aa9d2-0f11-7a02-8c3d-5e6f7a8b9c0d", "occurred_at": "2026-11-22T02:33:40Z",
         "clock_suspect": False, "device_sequence": 2, "redemption_id": "00000000-0000-7000-8000-000000000000",
         "reason": "mistake", "source": "conformance"},
        # A shift close over sequences 1 to 3: the hub holds 1 (accepted) and 2 (rejected, kept with its sequence),
        # not 3, so its reconciliation is mismatched with [3].
        {"type": "shift_close", "id": "019aa9d4-1c30-7d22-8e3f-7a8b9c0d1e2f", "occurred_at": "2026-11-22T02:36:00Z",
         "clock_suspect": False, "source": "counterd",
         "shift": {"kind": "shift", "opened_at": "2026-11-22T02:00:00Z", "opened_by": "s-li", "closed_by": "s-li",
                   "from_sequence": 1, "to_sequence": 3, "redemptions": 1, "uses": 1, "voids": 1, "face_value_fen": 100,
                   "reward_fen": 0}},
    ], "sent_at": "2026-11-22T02:36:00.125Z", "backlog": 4}
    check("EventBatch", events)
    status, answer = call("POST", "/v1/events", events, token=token)
    check("EventsResponse", answer)
    close = answer["results"][3]
    assert close["status"] == "accepted" and close["reconciliation"] == {"status": "mismatched", "missing_sequences": [3]}, answer
    # Sent again, the close is a duplicate and is reconciled again.
    status, answer = call("POST", "/v1/events", events, token=token)
    check("EventsResponse", answer)
    close = answer["results"][3]
    assert close["status"] == "duplicate" and close["reconciliation"]["status"] == "mismatched", answer
    status, answer = call("GET", "/v1/feed", token="not-a-token")
    assert status == 401, status
    check("ErrorResponse", answer)
    # The commission engine's export, with an admin credential only.
    admin_token = json.loads(admin("admin-token", "create", "--name", "conformance", "--json"))["token"]
    status, answer = call("GET", "/v1/admin/events?limit=1", token=admin_token)
    assert status == 200 and len(answer["events"]) == 1, (status, answer)
    check("ExportPage", answer)
    status, answer = call("GET", "/v1/admin/events?after=" + urllib.request.quote(answer["next_cursor"]), token=admin_token)
    check("ExportPage", answer)
    status, answer = call("GET", "/v1/admin/events", token=token)
    assert status == 401, status
    check("ErrorResponse", answer)
    # Device token rotation: the old token works until the new one is used, then never again.
    status, rotated = call("POST", "/v1/device/token", token=token)
    assert status == 200 and rotated["device_id"] == enrolled["device_id"], (status, rotated)
    check("DeviceTokenResponse", rotated)
    status, answer = call("GET", "/v1/feed", token=token)
    assert status == 200, (status, answer)
    status, answer = call("GET", "/v1/feed", token=rotated["device_token"])
    assert status == 200, (status, answer)
    status, answer = call("POST", "/v1/device/token", token=token)
    assert status == 401 and answer["error"]["code"] == "unauthorized", (status, answer)
    check("ErrorResponse", answer)
    token = rotated["device_token"]
    # A revoked device is refused at once, with its own code, on the feed and on uploads.
    admin("device", "revoke", enrolled["device_id"], "--reason", "conformance")
    for method, path, body in [("GET", "/v1/feed", None), ("POST", "/v1/events", events)]:
        status, answer = call(method, path, body, token=token)
        assert status == 401 and answer["error"]["code"] == "device_revoked", (status, answer)
        check("ErrorResponse", answer)
finally:
    server.terminate()
print(f"openapi conformance: {checks - failures} of {checks} answers match the contract")
sys.exit(1 if failures else 0)
