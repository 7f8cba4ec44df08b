"""The latency benchmark's target: injects delays timed from the kernel's receive timestamp of the request.

For `GET /delay?ttfb=D1&transfer=D2&id=N` it waits until D1 after the moment the kernel received the request
(SO_TIMESTAMPNS on the socket: the time the bytes arrived, not when this process woke up to read them), writes the
headers and a first chunk, waits until D2 after the start of that write, then writes the last chunk and closes.
Each wait sleeps to 3 ms before its deadline and spins the rest on the clock, so it ends within microseconds.

Python, because Node cannot read a socket's receive timestamp; a server that starts its clock when its own event
loop gets round to the request would add its wake-up latency (up to milliseconds on a busy VM) to every ttfb.
HTTP/1.1 is written by hand on the socket, so nothing sits between the clock and the write.

Prints {"port": P} first, then one JSON line per request: {"id", "ttfb", "transfer"} in ms as really waited
(receive timestamp to just before the first write, and between the two writes).
"""
import json
import socket
import struct
import sys
import time
from urllib.parse import parse_qs, urlsplit

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
CLOCK = time.CLOCK_REALTIME  # the clock SO_TIMESTAMPNS stamps with


def now() -> float:
    return time.clock_gettime_ns(CLOCK) / 1e6


def wait_until(deadline_ms: float) -> None:
    early = deadline_ms - now() - 3
    if early > 0:
        time.sleep(early / 1000)
    while now() < deadline_ms:
        pass


def serve(conn: socket.socket) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    conn.settimeout(10)
    head = b""
    received = None
    while b"\r\n\r\n" not in head:
        data, ancillary, _flags, _addr = conn.recvmsg(65536, socket.CMSG_SPACE(16))
        if not data:
            return
        for level, kind, payload in ancillary:
            if received is None and level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", payload[:16])
                received = sec * 1e3 + nsec / 1e6
        head += data
        if len(head) > 16384:
            return
    if received is None:
        raise RuntimeError("the kernel gave no receive timestamp (SO_TIMESTAMPNS)")
    line = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
    url = urlsplit(line[1]) if len(line) == 3 and line[0] == "GET" else None
    if url is None or url.path != "/delay":
        conn.sendall(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        return
    query = parse_qs(url.query)
    d1 = float(query.get("ttfb", ["0"])[0])
    d2 = float(query.get("transfer", ["0"])[0])
    wait_until(received + d1)
    first = now()
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n"
                 b"connection: close\r\n\r\nb\r\nfirst part;\r\n")
    wait_until(first + d2)
    last = now()
    conn.sendall(b"b\r\nsecond part\r\n0\r\n\r\n")
    print(json.dumps({"id": query.get("id", [""])[0], "ttfb": first - received, "transfer": last - first}), flush=True)


def main() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(json.dumps({"port": listener.getsockname()[1]}), flush=True)
    while True:
        conn, _ = listener.accept()
        try:
            serve(conn)
        except (OSError, ValueError) as e:
            print(f"latency server: {e}", file=sys.stderr, flush=True)
        finally:
            conn.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
