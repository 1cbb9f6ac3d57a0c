"""Records every frame on the rig's "internet" interfaces (run inside its namespace, as root).

The [reach] tests search the capture of the TURN server's side for the pairing secret and for
message plaintext: a relay must only ever carry DTLS-encrypted bytes. Raw AF_PACKET, so no tcpdump
is needed. Writes length-prefixed frames to the file given, until SIGTERM.
"""
import signal
import socket
import struct
import sys

out = open(sys.argv[1], "wb", buffering=0)
sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("capturing", flush=True)
while True:
    frame = sniffer.recv(65535)
    out.write(struct.pack(">I", len(frame)) + frame)
