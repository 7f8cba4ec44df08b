"""bench:cli-ttfb's target: answers every request D ms (query ttfb=D, default 80) after it read the request's end.

One thread per connection, so a slow client never delays another; the wait sleeps to 3 ms before its deadline and
spins the rest, so it ends within microseconds of D. Prints {"port": P} first, then one line per request with the
wait really made. The same server serves the fresh processes and the running monitor, so what differs between
their ttfb is the client's own doing.
"""
import json
import socket
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit


def now() -> float:
    return time.monotonic_ns() / 1e6


def serve(conn: socket.socket) -> None:
    with conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(10)
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(65536)
            if not data or len(head) > 16384:
                return
            head += data
        received = now()
        target = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[1]
        delay = float(parse_qs(urlsplit(target).query).get("ttfb", ["80"])[0])
        deadline = received + delay
        if deadline - now() > 3:
            time.sleep((deadline - now() - 3) / 1000)
        while now() < deadline:
            pass
        waited = now() - received
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        print(json.dumps({"waited": waited}), flush=True)


def main() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(json.dumps({"port": listener.getsockname()[1]}), flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
