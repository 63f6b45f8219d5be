"""A FastCGI client (the FastCGI 1.0 specification, responder role) for the end-to-end
tests: it speaks to a persistent `mentorsite-cgi` on a Unix socket as a web server would,
so the same requests can be sent in CGI mode and in FastCGI mode."""
import socket
import struct

VERSION = 1
BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = 1, 2, 3, 4, 5, 6, 7
RESPONDER = 1


def record(kind, request_id, content=b""):
    padding = (8 - len(content) % 8) % 8
    return struct.pack("!BBHHBx", VERSION, kind, request_id, len(content), padding) + content + b"\0" * padding


def name_value(name, value):
    def length(size):
        return struct.pack("!B", size) if size < 128 else struct.pack("!I", size | 0x80000000)
    name, value = name.encode("latin-1"), value.encode("utf-8", "surrogateescape")
    return length(len(name)) + length(len(value)) + name + value


def encode(params, body=b"", request_id=1):
    """The records a web server sends for one request."""
    out = record(BEGIN_REQUEST, request_id, struct.pack("!HB5x", RESPONDER, 0))
    pairs = b"".join(name_value(k, v) for k, v in params.items())
    for start in range(0, len(pairs), 65535):
        out += record(PARAMS, request_id, pairs[start:start + 65535])
    out += record(PARAMS, request_id)
    for start in range(0, len(body), 65535):
        out += record(STDIN, request_id, body[start:start + 65535])
    out += record(STDIN, request_id)
    return out


def read_exactly(connection, size):
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise EOFError("the FastCGI process closed the connection")
        data += chunk
    return data


def request(path, params, body=b"", timeout=30, send=None):
    """One request on a new connection to the Unix socket `path`: (stdout, stderr, app status).
    `send`, when given, writes the encoded request itself (to stall or cut it)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(timeout)
    try:
        connection.connect(path)
        data = encode(params, body)
        if send:
            send(connection, data)
        else:
            connection.sendall(data)
        stdout, stderr = b"", b""
        while True:
            header = read_exactly(connection, 8)
            _, kind, _, length, padding = struct.unpack("!BBHHBx", header)
            content = read_exactly(connection, length + padding)[:length]
            if kind == STDOUT:
                stdout += content
            elif kind == STDERR:
                stderr += content
            elif kind == END_REQUEST:
                return stdout, stderr, struct.unpack("!IB3x", content)[0]
    finally:
        connection.close()
