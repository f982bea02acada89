"""How the decision index learns that access-control data changed: the committed version, read
on connections of its own, and on PostgreSQL the notifications :func:`magpie.audit.bump_acl_version`
sends in the transaction of each change.

SQLite: the version row is read per decision on a per-thread connection (a few microseconds).
PostgreSQL: one connection reads the version, several threads sharing each read that started
after they asked (a decision must see every commit made before it began, and one round trip
proves that for all of them); a second connection LISTENs in a thread started lazily, which
rebuilds the index as soon as a change commits and lets decisions skip the read in ``notify``
mode.
"""
import contextlib
import logging
import os
import select
import threading
from typing import Callable, Iterator, List, Optional

from sqlalchemy.engine import Engine

from magpie.audit import ACL_CHANNEL
from magpie.permissions.index_load import VERSION_SQL, Reader

LOGGER = logging.getLogger(__name__)


def raw_connect(engine: Engine):
    """A DBAPI connection to the engine's database, outside its pool, in autocommit mode."""
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    if engine.dialect.name == "sqlite":
        cparams.update(check_same_thread=False, timeout=30, isolation_level=None)
    connection = engine.dialect.connect(*cargs, **cparams)
    if engine.dialect.name == "postgresql":
        connection.autocommit = True
    return connection


class SqliteSource:
    """Version reads and snapshots on one connection per thread (readers never wait on WAL)."""

    dialect = "sqlite"

    def __init__(self, engine: Engine):
        self.engine = engine
        self._local = threading.local()
        self._connections: List = []
        self._lock = threading.Lock()

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = raw_connect(self.engine)
            with self._lock:
                self._connections.append(connection)
        return connection

    def committed_version(self) -> Optional[int]:
        row = self._connection().execute(VERSION_SQL).fetchone()
        return None if row is None else int(row[0])

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Reader]:
        connection = self._connection()
        connection.execute("BEGIN")
        try:
            yield Reader(connection.cursor(), "?", "sqlite")
        finally:
            connection.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()


class PostgresSource:
    """Version reads shared between threads: a caller waits for a read that began after it
    asked, its own or one another thread started meanwhile. Snapshots use the same connection."""

    dialect = "postgresql"

    def __init__(self, engine: Engine):
        self.engine = engine
        self._connection = None
        self._lock = threading.Lock()
        self._started = 0  # reads begun; read under the GIL without the lock
        self._done = (0, None)  # (number of the last finished read, its version)

    def _conn(self):
        if self._connection is None or self._connection.closed:
            self._connection = raw_connect(self.engine)
        return self._connection

    def _read(self) -> Optional[int]:
        try:
            row = self._conn().execute(VERSION_SQL, prepare=True).fetchone()
        except Exception:
            self._drop()
            raise
        return None if row is None else int(row[0])

    def committed_version(self) -> Optional[int]:
        asked = self._started
        with self._lock:
            number, version = self._done
            if number > asked:  # began after we asked: it saw every commit made before
                return version
            self._started = number = self._started + 1
            version = self._read()
            self._done = (number, version)
            return version

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Reader]:
        with self._lock:
            connection = self._conn()
            try:
                connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")  # not READ ONLY: gaps take an xid
                with connection.cursor() as cursor:
                    yield Reader(cursor, "%s", "postgresql")
                connection.execute("COMMIT")
            except Exception:
                self._drop()
                raise

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def close(self) -> None:
        with self._lock:
            self._drop()


class Listener:
    """LISTEN on :data:`~magpie.audit.ACL_CHANNEL` in a daemon thread; ``on_change`` gets the
    version a notification carries (None when it carries none) and ``on_connect`` runs once the
    LISTEN is active, so that changes committed before it are not missed. Reconnects with a
    bounded back-off; :meth:`stop` ends the thread."""

    def __init__(self, engine: Engine, on_change: Callable[[Optional[int]], None], on_connect: Callable[[], None],
                 refresh: Callable[[], None]):
        self.engine, self.on_change, self.on_connect, self.refresh = engine, on_change, on_connect, refresh
        self.connected = False
        self._connection = None
        self._drain_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="magpie-acl-listener", daemon=True)

    def start(self) -> "Listener":
        self._thread.start()
        return self

    def _run(self) -> None:
        backoff = 0.05
        while not self._stop.is_set():
            try:
                self._connection = raw_connect(self.engine)
                self._connection.execute(f"LISTEN {ACL_CHANNEL}")
                self.on_connect()
                self.connected, backoff = True, 0.05
                self._loop()
            except Exception as exc:  # noqa: BLE001 - an outage: decisions read the version meanwhile
                if not self._stop.is_set():
                    LOGGER.warning("access-control listener lost its connection (%s); reconnecting", exc)
            finally:
                self.connected = False
                with self._drain_lock:
                    connection, self._connection = self._connection, None
                    if connection is not None:
                        with contextlib.suppress(Exception):
                            connection.close()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 5.0)

    def _loop(self) -> None:
        fd = self._connection.fileno()
        while not self._stop.is_set():
            readable, _, _ = select.select([fd, self._wake_r], [], [], 5.0)
            if self._wake_r in readable:
                return
            if fd in readable and self.drain():
                self.refresh()

    def poll(self) -> None:
        """Take in, from the calling thread, notifications already on the socket: the listening
        thread may be waiting for the interpreter lock while a busy thread decides."""
        connection = self._connection
        if connection is None or not self.connected:
            return
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return
        if readable:
            try:
                self.drain()
            except Exception:  # noqa: BLE001 - the listening thread reconnects; until then, read
                self.connected = False

    def drain(self) -> bool:
        """Hand the notifications waiting on the socket to ``on_change``; True if there were any."""
        with self._drain_lock:
            connection = self._connection
            if connection is None:
                return False
            pgconn = connection.pgconn
            pgconn.consume_input()
            if pgconn.status != 0:  # CONNECTION_OK
                raise ConnectionError("listener connection closed")
            newest, unknown = None, False
            while True:
                notify = pgconn.notifies()
                if notify is None:
                    break
                payload = notify.extra.decode()
                if payload.isdigit():
                    newest = max(newest or 0, int(payload))
                else:
                    unknown = True
            if newest is not None or unknown:
                self.on_change(None if unknown else newest)
            return newest is not None or unknown

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
