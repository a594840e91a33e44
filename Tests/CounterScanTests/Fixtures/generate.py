#!/usr/bin/env python3
"""Writes the scanner traffic fixtures in the exact formats the kernel delivers them.

No USB exists on the build machines, so these streams are not captured from devices: they are written
event by event the way a USB HID keyboard scanner's reports come out of the kernel's usbhid + evdev
(EV_MSC/MSC_SCAN with the HID usage, EV_KEY press and release, EV_SYN after each report), the way a
HID POS scanner's 64-byte reports come out of hidraw, and the bytes a CDC-ACM scanner sends.
Run it to regenerate; the tests replay the files through the real decoders (ScannerFixtureTests).
"""
import struct, os

HERE = os.path.dirname(os.path.abspath(__file__))
EV_SYN, EV_KEY, EV_MSC, MSC_SCAN = 0, 1, 4, 4

# Linux key code, HID usage (page 7)
KEYS = {"esc": (1, 41), "minus": (12, 45), "equal": (13, 46), "tab": (15, 43), "leftbrace": (26, 47),
        "rightbrace": (27, 48), "enter": (28, 40), "leftctrl": (29, 224), "semicolon": (39, 51),
        "apostrophe": (40, 52), "grave": (41, 53), "leftshift": (42, 225), "backslash": (43, 49),
        "comma": (51, 54), "dot": (52, 55), "slash": (53, 56), "leftalt": (56, 226), "space": (57, 44),
        "capslock": (58, 57), "kpenter": (96, 88), "kpminus": (74, 86)}
for i, d in enumerate("1234567890"):
    KEYS[d] = (2 + i, 30 + i)
for letter, code in zip("qwertyuiop", range(16, 26)):
    KEYS[letter] = (code, None)
for letter, code in zip("asdfghjkl", range(30, 39)):
    KEYS[letter] = (code, None)
for letter, code in zip("zxcvbnm", range(44, 51)):
    KEYS[letter] = (code, None)
for letter in "abcdefghijklmnopqrstuvwxyz":
    KEYS[letter] = (KEYS[letter][0], 4 + ord(letter) - ord("a"))
for digit, code in zip("123456789", [79, 80, 81, 75, 76, 77, 71, 72, 73]):
    KEYS["kp" + digit] = (code, 89 + int(digit) - 1)
KEYS["kp0"] = (82, 98)

# US layout: character -> (key, shift)
US = {}
for c in "abcdefghijklmnopqrstuvwxyz1234567890":
    US[c] = (c, False)
for c in "abcdefghijklmnopqrstuvwxyz":
    US[c.upper()] = (c, True)
for c, k in zip("!@#$%^&*()", "1234567890"):
    US[c] = (k, True)
for c, k, s in [("-", "minus", 0), ("_", "minus", 1), ("=", "equal", 0), ("+", "equal", 1), ("[", "leftbrace", 0),
                ("{", "leftbrace", 1), ("]", "rightbrace", 0), ("}", "rightbrace", 1), (";", "semicolon", 0),
                (":", "semicolon", 1), ("'", "apostrophe", 0), ('"', "apostrophe", 1), (",", "comma", 0),
                ("<", "comma", 1), (".", "dot", 0), (">", "dot", 1), ("/", "slash", 0), ("?", "slash", 1),
                ("\\", "backslash", 0), ("|", "backslash", 1), ("`", "grave", 0), ("~", "grave", 1), (" ", "space", 0)]:
    US[c] = (k, bool(s))


def event(type_, code, value):
    return struct.pack("<qqHHi", 0, 0, type_, code, value)


def key(name, value):
    code, usage = KEYS[name]
    out = b""
    if usage is not None:
        out += event(EV_MSC, MSC_SCAN, 0x70000 + usage)
    return out + event(EV_KEY, code, value) + event(EV_SYN, 0, 0)


def tap(name):
    return key(name, 1) + key(name, 0)


def type_text(text, layout=US):
    out = b""
    for c in text:
        name, shift = layout[c]
        if shift:
            out += key("leftshift", 1)
        out += tap(name)
        if shift:
            out += key("leftshift", 0)
    return out


def alt_code(number):
    """Alt held while the decimal code is typed on the keypad: how wedge scanners 'type' non-ASCII."""
    out = key("leftalt", 1)
    for digit in str(number):
        out += tap("kp" + digit)
    return out + key("leftalt", 0)


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# Keyboard wedge (evdev input_event streams)
write("wedge-mixed-case.evdev", type_text("DEMO-0001") + tap("enter") + type_text("Hello-World_42") + tap("enter"))
write("wedge-keypad.evdev", b"".join(tap("kp" + d) for d in "0123456789") + tap("kpenter"))
write("wedge-symbols.evdev", type_text("!@#$%^&*()[]{};:'\",.<>/?=+\\|`~") + tap("enter"))
write("wedge-capslock.evdev", tap("capslock") + type_text("card") + key("leftshift", 1) + tap("minus")
      + key("leftshift", 0) + type_text("0010") + tap("capslock") + tap("enter"))
# A QR holding 核销:DEMO-0001. 核 and 销 cannot be typed: the scanner sends Alt+keypad GBK codes
# (Windows "Alt mode": 核 = BA CB = 47819, 销 = CF FA = 53242), then ':' and the ASCII part.
write("wedge-chinese-alt.evdev", alt_code(47819) + alt_code(53242) + type_text(":DEMO-0001") + tap("enter"))
# A scanner set to the French (AZERTY) keyboard country types digits with Shift on the top row.
write("wedge-azerty-digits.evdev", b"".join(key("leftshift", 1) + tap(d) + key("leftshift", 0) for d in "0123") + tap("enter"))
# Half a scan, then nothing (the cable pulled, or a scanner without a suffix).
write("wedge-half.evdev", type_text("DEMO-00"))


# HID POS (hidraw reports: id 2, length, 56 data bytes, AIM id ]Q1 at 58-60, continuation flag in byte 63)
def report(data, continued=False, report_id=2):
    assert len(data) <= 56
    body = bytes([report_id, len(data)]) + data + bytes(56 - len(data)) + b"]Q1" + bytes(2) + bytes([1 if continued else 0])
    assert len(body) == 64
    return body


def reports(data):
    chunks = [data[i:i + 56] for i in range(0, len(data), 56)] or [b""]
    return b"".join(report(c, continued=(i < len(chunks) - 1)) for i, c in enumerate(chunks))


write("hidpos-single.hidraw", reports(b"DEMO-0001"))
long_code = ("CARD-" + "0123456789" * 12).encode()
write("hidpos-continued.hidraw", reports(long_code))
# A status report (id 4) between two scans is ignored; binary bytes pass through unchanged.
write("hidpos-binary.hidraw", reports(bytes([0x00, 0x01, 0x0D, 0x1D, 0xFF]) + "核销".encode("utf-8"))
      + bytes([4]) + bytes(63) + reports(b"DEMO-0002"))
write("hidpos-half.hidraw", report(b"A" * 56, continued=True))

# USB serial (CDC-ACM byte streams)
write("serial-cr.bin", b"DEMO-0001\rCARD-0010\r")
write("serial-4k.bin", b"X" * 4096 + b"\r")
write("serial-binary.bin", bytes(b for b in range(256) if b != 0x0D) + b"\r")
