#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (Fuzz/corpus/<Target>/seed-*) from the project's own test
vectors, fixtures, profiles, example config and the examples of docs/protocol.md. Rerun after those change:
    python3 Fuzz/seeds.py
Regression inputs (crash-*) kept beside the seeds are not touched."""
import base64, hashlib, json, os, re, struct, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = os.path.join(root, "Fuzz", "corpus")


def write(target, name, data):
    folder = os.path.join(corpus, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(root, path), "rb") as f:
        return f.read()


def b32decode(text):
    return base64.b32decode(text + "=" * (-len(text) % 8))


# SignedCode: byte 0 = mode (even: text through the verifier; odd: binary form), byte 1 = uses.
vectors = json.loads(read("docs/token-vectors.json"))
for i, vector in enumerate(vectors):
    code = vector.get("signed_code")
    if not code:
        continue
    write("SignedCode", f"vector-{i}-text", b"\x00\x00" + code.encode())
    if code.startswith("RC1:"):
        try:
            write("SignedCode", f"vector-{i}-binary", b"\x01\x00" + b32decode(code[4:]))
        except Exception:
            pass
for name, text in [("typed", " single-0001\r\n"), ("plain", "SINGLE-0001"), ("card", "card 0010"),
                   ("spaces", "ab cd-ef gh"), ("unicode", "ＤＥＭＯ-0001")]:
    write("SignedCode", name, b"\x00\x01" + text.encode())

# FeedPage: the example page of docs/protocol.md, as an incremental page (a reset page needs a signed key
# set), and a minimal one.
protocol = read("docs/protocol.md").decode()
page_text = re.search(r'```json\n(\{\n  "server_time".*?\n\})\n```', protocol, re.S).group(1)
page_text = re.sub(r',\n  "key_set": \{[^}]*\}', "", page_text)
page = json.loads(page_text)
page["reset"] = False
page["shop"]["id"] = "shop-017"
write("FeedPage", "protocol-example", json.dumps(page, ensure_ascii=False, indent=1))
write("FeedPage", "minimal", json.dumps({
    "server_time": "2026-11-22T02:30:02Z", "cursor": "a", "next_cursor": "b", "position": 1, "up_to_date": True,
    "reset": False, "max_data_age_seconds": 259200, "watermark": {"device_sequence": 0},
    "shop": {"id": "shop-017", "name": "n", "time_zone": "Asia/Shanghai"}, "campaigns": [], "tokens": [],
    "tombstones": ["9a0e3f2b6c1d8e4719aa9d06c387d41a"], "revocations": []}))

# HubEvents: the example batch of docs/protocol.md, pointed at the fuzz target's shop and seeded tokens.
def token_id(code):
    canonical = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]

batch_text = re.search(r'```json\n(\{\n  "device_id": "[^"]*",\n  "events".*?\n\})\n```', protocol, re.S).group(1)
batch = json.loads(batch_text)
batch["events"][0]["token_id"] = token_id("SINGLE-0001")
batch["events"][0]["campaign_id"] = "COFFEE-2611"
write("HubEvents", "protocol-example", json.dumps(batch, ensure_ascii=False, indent=1))
card = dict(batch["events"][0], id="019aa9d0-6c38-7d41-9a0e-3f2b6c1d8e48", device_sequence=44,
            token_id=token_id("CARD-0010"), uses=3)
write("HubEvents", "card", json.dumps({"device_id": batch["device_id"], "events": [card, card]}))

# ScanFraming: byte 0 even = serial (terminator, maximum length, prefix and suffix lengths, then chunks).
for name in ["serial-cr.bin", "serial-binary.bin"]:
    data = read("Tests/CounterScanTests/Fixtures/" + name)[:2000]
    chunks = b"".join(bytes([31]) + data[i:i + 32] for i in range(0, len(data), 32))
    write("ScanFraming", name, bytes([0, 0, 63, 0, 0]) + chunks)
write("ScanFraming", "crlf-prefix", bytes([0, 2, 40, 1]) + b"]" + bytes([1]) + b"#" + bytes([20]) + b"]DEMO-0001#\r\n]DEMO-0002#\r\n")
# byte 0 odd = HID POS: report id, size (2 bytes), length, data and continued offsets, mask, maximum length,
# then reports each after a byte (< 0xF0: a whole report).
for name in ["hidpos-single.hidraw", "hidpos-continued.hidraw", "hidpos-binary.hidraw", "hidpos-half.hidraw"]:
    data = read("Tests/CounterScanTests/Fixtures/" + name)
    reports = b"".join(b"\x00" + data[i:i + 64] for i in range(0, len(data), 64))
    write("ScanFraming", name, bytes([1, 2, 64, 0, 1, 2, 63, 1, 127]) + reports)

# Keyboard: byte 0 = layout (0 us, 1 fr, 2 de), then chunks, each after a byte (size = byte % 64 + 1).
for name in sorted(os.listdir(os.path.join(root, "Tests/CounterScanTests/Fixtures"))):
    if not name.endswith(".evdev"):
        continue
    data = read("Tests/CounterScanTests/Fixtures/" + name)[:4000]
    layout = 1 if "azerty" in name else 0
    chunks = b"".join(bytes([47]) + data[i:i + 48] for i in range(0, len(data), 48))
    write("Keyboard", name, bytes([layout]) + chunks)

# EscPos: a receipt as the encoder writes one (init, alignment, bold, GB18030 text, QR, raster, cut, drawer).
gb = "核销成功 Redeemed".encode("gb18030")
qr = b"RC1:AEAAAAAB"
receipt = (b"\x1b@\x1ba\x01\x1bE\x01\x1d!\x11COUNTER\n\x1d!\x00\x1bE\x00\x1ba\x00\x1c&" + gb + b"\x1c.\n"
           + b"\x1d(k\x03\x001C\x04" + b"\x1d(k" + struct.pack("<H", len(qr) + 3) + b"1P0" + qr + b"\x1d(k\x03\x001Q0\n"
           + b"\x1dv0\x00\x02\x00\x03\x00" + bytes(range(6)) + b"\x1bd\x03\x1dVA\x10\x1bp\x00\x19\xfa")
write("EscPos", "receipt", receipt)

# Profiles: every scanner and printer profile in drivers/.
for folder, _, files in os.walk(os.path.join(root, "drivers")):
    for name in sorted(files):
        if name.endswith(".json"):
            with open(os.path.join(folder, name), "rb") as f:
                write("Profiles", name[:-5], f.read())

# Config: the example and the shipped configuration files.
for name in sorted(os.listdir(os.path.join(root, "config"))):
    if name.endswith((".yaml", ".yml")):
        write("Config", name, read("config/" + name))

# The numbers issue 15 reported as traps (each must be refused or clamped, never trap).
huge = 9223372036854775807
write("Config", "issue15-durations", "redeem:\n  void_window: 1e300s\nusb_scanners:\n  rescan_interval: 1e309ms\n")
over = dict(page, max_data_age_seconds=huge - 100, position=huge)
write("FeedPage", "issue15-max-data-age", json.dumps(over, ensure_ascii=False))
uses = json.loads(json.dumps(page))
uses["tokens"][0]["uses_used"] = huge
uses["tokens"][0]["uses_total"] = huge
uses["max_data_age_seconds"] = 2 ** 62
write("FeedPage", "issue15-uses", json.dumps(uses, ensure_ascii=False))
big = dict(batch["events"][0], uses=huge, device_sequence=huge)
write("HubEvents", "issue15-uses", json.dumps({"device_id": batch["device_id"], "events": [big]}))

# HostNames: Host headers, hub URLs, listen addresses and Retry-After values, including issue 15's.
for name, text in [("v4", "127.0.0.1:8765"), ("localhost", "localhost:8765"), ("v6", "[::1]:8765"),
                   ("issue15-rebind", "127.0.0.1.rebind.attacker.example:8765"), ("issue15-prefix", "127.attacker.example"),
                   ("https", "https://engine.example.com/counter"), ("http-loopback", "http://127.0.0.1:8080/"),
                   ("issue15-userinfo", "http://user:secret@127.0.0.1/?q=1#f"), ("issue15-http-name", "http://127.attacker.example/"),
                   ("retry-seconds", "120"), ("retry-date", "Fri, 04 Dec 2026 14:00:00 GMT"),
                   ("issue15-retry-1e309", "1e309"), ("issue15-retry-huge", "99999999999999999999"), ("issue15-retry-inf", "inf")]:
    write("HostNames", name, text)
