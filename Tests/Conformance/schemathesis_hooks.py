"""schemathesis hooks and checks for scripts/test-schemathesis.sh.

Random values would never get past two checks of counter-hub, so the hooks put real ones in where
the generated value is already valid (a positive case stays positive, a negative one negative):

- an event batch whose `device_id` is not the credential's device is refused as a whole (403
  `device_mismatch`): a valid generated `device_id` becomes the enrolled device's id;
- an enrollment code is one-time and random: a valid generated `enrollment_code` becomes one of the
  fresh codes the script made, until they run out;
- the live feed may hold a request up to `wait` seconds: a valid generated `wait` above 1 becomes 1.

`POST /v1/events` validates per event (docs/protocol.md): a batch that can be read is answered 200
with one result per event, and an event that breaks its schema gets `rejected`. schemathesis's
`negative_data_rejection` expects a 4xx for any schema violation, so it is off for that operation
(Tests/Conformance/schemathesis.toml) and `per_event_validation` below checks the contract instead.
"""
import os
import re

import schemathesis
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DEVICE_ID = os.environ["COUNTER_HUB_DEVICE_ID"]
with open(os.environ["COUNTER_HUB_ENROLLMENT_CODES"]) as codes:
    ENROLLMENT_CODES = [line.strip() for line in codes if line.strip()]
ID = re.compile(r"[\x21-\x7E]{1,64}")

with open(os.environ.get("COUNTER_HUB_OPENAPI", "docs/openapi.yaml")) as spec:
    SCHEMAS = yaml.safe_load(spec)["components"]["schemas"]
REGISTRY = Registry().with_resource(
    "urn:spec", Resource.from_contents({"components": {"schemas": SCHEMAS}}, default_specification=DRAFT202012))


def validator(reference):
    return Draft202012Validator({"$ref": reference}, registry=REGISTRY)


EVENT = validator("urn:spec#/components/schemas/Event")
# What makes a batch readable as a whole: anything else is a 400 (or 413), never a 200.
ENVELOPE = Draft202012Validator({
    "type": "object",
    "required": ["device_id", "events"],
    "properties": {
        "device_id": {"$ref": "urn:spec#/components/schemas/ID"},
        "events": {"type": "array", "minItems": 1, "maxItems": 500, "items": {"type": "object"}},
    },
}, registry=REGISTRY)


@schemathesis.hook
def map_body(context, body):
    operation = context.operation
    if operation is None or not isinstance(body, dict):
        return body
    if operation.path == "/v1/events":
        device_id = body.get("device_id")
        if isinstance(device_id, str) and ID.fullmatch(device_id):
            body = {**body, "device_id": DEVICE_ID}
    elif operation.path == "/v1/enroll":
        code = body.get("enrollment_code")
        if isinstance(code, str) and 1 <= len(code) <= 128 and ENROLLMENT_CODES:
            body = {**body, "enrollment_code": ENROLLMENT_CODES.pop()}
    return body


@schemathesis.hook
def map_query(context, query):
    """The live feed holds a quiet request up to `wait` seconds: a generated wait above 1 is cut to 1 (still
    valid), so that a run with real cursors stays inside the request timeout."""
    operation = context.operation
    if operation is None or operation.path != "/v1/feed" or not isinstance(query, dict):
        return query
    wait = query.get("wait")
    if isinstance(wait, int) and not isinstance(wait, bool) and 1 < wait <= 60:
        query = {**query, "wait": 1}
    return query


def first_error(validator, instance):
    error = next(iter(validator.iter_errors(instance)), None)
    return None if error is None else f"{error.json_path}: {error.message[:200]}"


@schemathesis.check
def per_event_validation(ctx, response, case):
    """A 200 to an event batch: the batch was readable, and every event that breaks the Event schema
    is `rejected`, while no event that keeps it is `rejected` as `invalid_event`."""
    if case.operation.path != "/v1/events" or response.status_code != 200:
        return None
    problem = first_error(ENVELOPE, case.body)
    if problem is not None:
        raise AssertionError(f"a batch that cannot be read was answered 200 ({problem})")
    results = response.json()["results"]
    if len(results) != len(case.body["events"]):
        raise AssertionError(f"{len(case.body['events'])} events, {len(results)} results")
    for index, (event, result) in enumerate(zip(case.body["events"], results)):
        problem = first_error(EVENT, event)
        if problem is not None and result.get("status") != "rejected":
            raise AssertionError(f"event {index} breaks its schema ({problem}) but was {result.get('status')}")
        if problem is None and result.get("reason") == "invalid_event":
            raise AssertionError(f"event {index} keeps its schema but was rejected as invalid_event")
    return None
