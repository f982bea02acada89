"""The access-control world of ``bench.permissions_benchmark``, written with bulk inserts.

A THREDDS-like service of 10 x 10 x 10 directories holding 99 files each (100,110 resources),
stored as its local tree and as its stored remote tree (plus 1,000 files only remote); 1,000
users in 50 groups (1 to 3 groups each); 10,000 applied permissions on users and groups, spread
over directories and files; and ``probe``, a user in no group with a file of its own, whose
permission the freshness run grants and revokes. Seeded: every run builds the same world.
"""
import random
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

import sqlalchemy as sa
import transaction
from ziggurat_foundations.models.services.user import UserService

from magpie import audit, db, models

FANOUT, FILES = 10, 99
USERS, GROUPS, PERMISSIONS, REMOTE_ONLY = 1000, 50, 10_000, 1000
NAMES = ("browse", "read", "write")
PROBE_PASSWORD = "probe-password-1234"


@dataclass
class World:
    service_id: int
    probe_user_id: int
    probe_file_id: int
    probe_path: str
    user_ids: List[int]
    files: List[str] = field(repr=False)  # paths of the local files
    dirs: List[str] = field(repr=False)
    resources: int = 0


def _tree(service_id: int, first_id: int) -> Tuple[List[tuple], Dict[int, str], List[int]]:
    """Rows (id, parent, name, type) of the local tree, each id's path, and the directory ids."""
    rows, paths, dirs = [], {}, []
    next_id = first_id

    def add(parent: int, name: str, kind: str) -> int:
        nonlocal next_id
        resource_id, next_id = next_id, next_id + 1
        rows.append((resource_id, parent, name, kind))
        paths[resource_id] = f"{paths[parent]}/{name}" if parent in paths else name
        return resource_id

    for a in range(FANOUT):
        top = add(service_id, f"d{a:02d}", "directory")
        dirs.append(top)
        for b in range(FANOUT):
            middle = add(top, f"e{b:02d}", "directory")
            dirs.append(middle)
            for c in range(FANOUT):
                leaf = add(middle, f"f{c:02d}", "directory")
                dirs.append(leaf)
                for number in range(FILES):
                    add(leaf, f"tas_day_{a}{b}{c}_{number:03d}.nc", "file")
    return rows, paths, dirs


def build(url: str, seed: int = 20261203) -> World:
    rng = random.Random(seed)
    manager = transaction.TransactionManager(explicit=True)
    session = db.get_db_session_from_settings({"sqlalchemy.url": url}, manager)
    resources = models.Resource.__table__
    with manager:
        service = models.Service(resource_name="thredds", type="thredds", url="http://127.0.0.1:9/thredds",
                                 sync_type="thredds", configuration={"max_depth": None})
        session.add(service)
        session.add_all(models.Group(group_name=name) for name in ("administrators", "anonymous", "users"))
        session.flush()
        service_id = service.resource_id
        count = FANOUT + FANOUT ** 2 + FANOUT ** 3 * (1 + FILES)
        ids = db.allocate_ids(session, resources, count)
        rows, paths, dirs = _tree(service_id, ids[0])
        if ids[-1] != rows[-1][0]:  # PostgreSQL's sequence may hand out ids with holes
            remap = dict(zip((row[0] for row in rows), ids))
            remap[service_id] = service_id
            rows = [(remap[r], remap[p], n, k) for r, p, n, k in rows]
            paths = {remap[r]: path for r, path in paths.items()}
            dirs = [remap[d] for d in dirs]
        db.bulk_insert(session, resources, ("resource_id", "parent_id", "resource_name", "resource_type",
                                            "root_service_id", "ordering"),
                       ((r, p, n, k, service_id, 0) for r, p, n, k in rows))
        _store_remote(session, service_id, rows, rng)
        group_ids = db.allocate_ids(session, models.Group.__table__, GROUPS)
        db.bulk_insert(session, models.Group.__table__, ("id", "group_name", "member_count"),
                       ((gid, f"group{n:02d}", 0) for n, gid in enumerate(group_ids)))
        user_ids = list(db.allocate_ids(session, models.User.__table__, USERS))
        db.bulk_insert(session, models.User.__table__, ("id", "user_name", "email", "status"),
                       ((uid, f"user{n:04d}", f"user{n:04d}@example.invalid", 1) for n, uid in enumerate(user_ids)))
        db.bulk_insert(session, models.UserGroup.__table__, ("user_id", "group_id"),
                       ((uid, gid) for uid in user_ids for gid in rng.sample(list(group_ids), rng.randint(1, 3))))
        files = [r for r, _, _, k in rows if k == "file"]
        chosen = set()
        while len(chosen) < PERMISSIONS:
            on = rng.choice(dirs) if rng.random() < 0.1 else rng.choice(files)
            who = ("user", rng.choice(user_ids)) if rng.random() < 0.6 else ("group", rng.choice(list(group_ids)))
            chosen.add((who, on, rng.choice(NAMES)))
        perm = {}
        for (kind, principal), on, name in sorted(chosen):
            access = "deny" if rng.random() < 0.15 else "allow"
            scope = "recursive" if on in dirs or rng.random() < 0.5 else "match"
            perm.setdefault(kind, []).append((principal, on, f"{name}-{access}-{scope}"))
        db.bulk_insert(session, models.UserResourcePermission.__table__, ("user_id", "resource_id", "perm_name"),
                       perm["user"])
        db.bulk_insert(session, models.GroupResourcePermission.__table__, ("group_id", "resource_id", "perm_name"),
                       perm["group"])
        probe = models.User(user_name="probe", email="probe@example.invalid", status=1)
        UserService.set_password(probe, PROBE_PASSWORD)
        session.add(probe)
        probe_file = models.File(resource_name="probe.nc", parent_id=service_id, root_service_id=service_id)
        session.add(probe_file)
        session.flush()
        audit.record(session, "bench", "bench.setup", service_id=service_id)
        world = World(service_id, probe.id, probe_file.resource_id, "probe.nc", user_ids,
                      [paths[r] for r in files], [paths[d] for d in dirs], len(rows) + 1)
    session.close()
    return world


def _store_remote(session, service_id: int, rows: List[tuple], rng: random.Random) -> None:
    """The same tree as the stored remote one, and remote-only files, as a sync would leave it."""
    remote = models.RemoteResource.__table__
    ids = db.allocate_ids(session, remote, len(rows) + 1 + REMOTE_ONLY)
    main, ids = ids[0], ids[1:]
    mapping = {service_id: main}
    mapping.update((row[0], remote_id) for row, remote_id in zip(rows, ids))
    leaves = [row[0] for row in rows if row[3] == "directory" and row[2].startswith("f")]
    extra = [(ids[len(rows) + n], mapping[rng.choice(leaves)], f"remote_only_{n:04d}.nc", "file")
             for n in range(REMOTE_ONLY)]
    db.bulk_insert(session, remote, ("resource_id", "service_id", "parent_id", "resource_name",
                                     "resource_display_name", "resource_type", "ordering"),
                   [(main, service_id, None, "thredds", "thredds", "service", 0)]
                   + [(mapping[r], service_id, mapping[p], n, n, k, 0) for r, p, n, k in rows]
                   + [(r, service_id, p, n, n, k, 0) for r, p, n, k in extra])
    session.add(models.RemoteResourcesSyncInfo(service_id=service_id, remote_resource_id=main))
    session.flush()


def count_rows(url: str) -> Dict[str, int]:
    engine = db.get_engine({"sqlalchemy.url": url})
    with engine.connect() as connection:
        return {table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                for table in (models.Resource.__table__, models.User.__table__, models.Group.__table__,
                              models.UserResourcePermission.__table__, models.GroupResourcePermission.__table__,
                              models.UserGroup.__table__)}
