"""/healthz, which a load balancer or a monitor polls: 200 while the database answers,
503 with a short JSON body (never a traceback) when it does not."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress
from urllib.parse import urlsplit, urlunsplit

from engine import ProcessEngine
from tests.product import product_config
from web import create_app


def test_healthz_answers_with_the_database_state(engine):
    client = create_app(engine=engine).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


class Relay:
    """A TCP relay to the database server that can be cut, as a network or a server
    failure cuts it: connections through it work until :meth:`cut`."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.target)
                self.open += [client, server]
                for a, b in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)

    def cut(self) -> None:
        for connection in [self.listener, *self.open]:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()


def _unreachable(database_url: str) -> tuple[ProcessEngine, Relay | None]:
    """An engine whose database stops answering after it started: a SQLite file that
    is no longer a database, or a PostgreSQL server whose connection was cut."""
    if database_url.startswith("sqlite"):
        engine = ProcessEngine(product_config(database_url=database_url, clock="manual"))
        engine.db.dispose()
        path = database_url.removeprefix("sqlite:///")
        with open(path, "wb") as broken:
            broken.write(b"this is not a database " * 512)
        return engine, None
    parts = urlsplit(database_url)
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    netloc = parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{relay.port}")
    engine = ProcessEngine(product_config(database_url=urlunsplit(parts._replace(netloc=netloc)),
                                        clock="manual"))
    relay.cut()
    engine.db.dispose()
    return engine, relay


def test_healthz_is_503_when_the_database_does_not_answer(database_url):
    engine, _ = _unreachable(database_url)
    try:
        response = create_app(engine=engine).test_client().get("/healthz")
    finally:
        engine.close()
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
