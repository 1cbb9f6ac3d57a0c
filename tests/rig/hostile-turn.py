"""A hostile TURN server for the rig (case 5): a UDP relay in front of the real coturn that forwards
everything but also replays every packet it relays towards a client and injects forged ones
(a copy with its payload bytes flipped). Listens on 198.19.0.2:3478, forwards to 198.19.0.1:3478,
one upstream socket per client. Prints a JSON line of counts to stdout whenever it is sent SIGUSR1.
"""
import json
import selectors
import signal
import socket
import sys

LISTEN = ("198.19.0.2", 3478)
UPSTREAM = ("198.19.0.1", 3478)
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(LISTEN)
sel = selectors.DefaultSelector()
sel.register(front, selectors.EVENT_READ, None)
upstreams = {}  # client address -> socket towards coturn
counts = {"relayed": 0, "replayed": 0, "injected": 0}


def report(*_):
    print(json.dumps(counts), flush=True)


signal.signal(signal.SIGUSR1, report)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("ready", flush=True)
while True:
    try:
        events = sel.select()
    except InterruptedError:
        continue
    for key, _ in events:
        sock = key.fileobj
        try:
            data, addr = sock.recvfrom(65535)
        except InterruptedError:
            continue
        if key.data is None:
            up = upstreams.get(addr)
            if up is None:
                up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                up.connect(UPSTREAM)
                upstreams[addr] = up
                sel.register(up, selectors.EVENT_READ, addr)
            up.send(data)
        else:
            client = key.data
            front.sendto(data, client)
            counts["relayed"] += 1
            # ChannelData (first two bits 01) or a Data indication (0x0017) carries the peer's
            # DTLS records: replay each one, and inject a forged copy of every fourth.
            if len(data) > 40 and (data[0] & 0xC0 == 0x40 or data[:2] == b"\x00\x17"):
                front.sendto(data, client)
                counts["replayed"] += 1
                if counts["replayed"] % 4 == 0:
                    forged = bytearray(data)
                    for i in range(len(forged) - 16, len(forged)):
                        forged[i] ^= 0x5A
                    front.sendto(bytes(forged), client)
                    counts["injected"] += 1
