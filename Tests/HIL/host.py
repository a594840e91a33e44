#!/usr/bin/env python3
"""Host side of a hardware-in-the-loop boot: does what the guest asks on its second serial port.

    Tests/HIL/host.py CHANNEL_SOCKET QMP_SOCKET

run.sh starts it beside QEMU. The guest (lib.sh `host`) writes one command per line to /dev/ttyS1,
which QEMU connects to CHANNEL_SOCKET; this answers each with "ok" or "err WHY" on the same line.
Commands:
    type TEXT      keys into QEMU's usb-kbd through QMP input-send-event, one event per command and
                   10 ms apart (QEMU's HID queue holds 16 events and drops the rest: research/usb-in-qemu.md)
    unplug ID      QMP device_del of the usb-kbd ID, answered once QEMU reports it deleted
    plug ID        QMP device_add usb-kbd ID on the xHCI controller
    ping           nothing
Every wait is bounded; the script ends when QEMU closes the sockets.
"""
import json, socket, sys, time

KEY_DELAY = 0.010


def connect(path, seconds=30):
    deadline = time.time() + seconds
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            if time.time() > deadline:
                sys.exit(f"hil-host: cannot connect to {path}")
            time.sleep(0.1)


class QMP:
    def __init__(self, path):
        self.sock = connect(path)
        self.file = self.sock.makefile("rwb", buffering=0)
        self.events = []
        self.read()  # greeting
        self.call("qmp_capabilities")

    def read(self):
        line = self.file.readline()
        if not line:
            raise EOFError("QMP closed")
        return json.loads(line)

    def call(self, command, **arguments):
        self.file.write(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
        while True:
            message = self.read()
            if "event" in message:
                self.events.append(message)
            elif "error" in message:
                raise RuntimeError(message["error"].get("desc", str(message["error"])))
            elif "return" in message:
                return message["return"]

    def wait_event(self, name, seconds=10):
        self.sock.settimeout(seconds)
        try:
            while not any(e["event"] == name for e in self.events):
                message = self.read()
                if "event" in message:
                    self.events.append(message)
        finally:
            self.sock.settimeout(None)
        self.events = [e for e in self.events if e["event"] != name]


def qcodes(character):
    """(shifted, qcode) for the characters redemption codes use."""
    if character.isdigit() or ("a" <= character <= "z"):
        return False, character
    if "A" <= character <= "Z":
        return True, character.lower()
    named = {"-": (False, "minus"), "\r": (False, "ret"), "\n": (False, "ret"), "_": (True, "minus"),
             ".": (False, "dot"), "/": (False, "slash"), ":": (True, "semicolon"), " ": (False, "spc")}
    if character in named:
        return named[character]
    raise ValueError(f"no key for {character!r}")


def type_text(qmp, text):
    def key(qcode, down):
        qmp.call("input-send-event", events=[{"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": qcode}}}])
        time.sleep(KEY_DELAY)
    for character in text:
        shifted, qcode = qcodes(character)
        if shifted:
            key("shift", True)
        key(qcode, True)
        key(qcode, False)
        if shifted:
            key("shift", False)


def main():
    channel = connect(sys.argv[1]).makefile("rwb", buffering=0)
    qmp = QMP(sys.argv[2])
    while True:
        line = channel.readline()
        if not line:
            return
        command, _, argument = line.decode(errors="replace").rstrip("\r\n").partition(" ")
        try:
            if command == "type":
                type_text(qmp, argument.replace("\\r", "\r"))
            elif command == "unplug":
                qmp.call("device_del", id=argument)
                qmp.wait_event("DEVICE_DELETED")
            elif command == "plug":
                qmp.call("device_add", driver="usb-kbd", id=argument, bus="xhci.0")
            elif command != "ping":
                raise ValueError(f"unknown command {command!r}")
            reply = "ok"
        except Exception as error:  # the guest gets the reason and fails the scenario with it
            reply = f"err {error}"
        print(f"hil-host: {command} {argument!r}: {reply}", file=sys.stderr)
        channel.write(reply.encode() + b"\n")


if __name__ == "__main__":
    try:
        main()
    except (EOFError, ConnectionError, BrokenPipeError):
        pass
