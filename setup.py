from setuptools import find_packages, setup

INSTALL_REQUIRES = [
    "pyramid>=2.0,<3",
    "pyramid_tm>=2.5",
    "waitress>=2.1",
    "SQLAlchemy>=2.0,<2.2",
    "ziggurat_foundations>=0.9.1",
    "passlib>=1.7",
    "zope.sqlalchemy>=3.0",
    "transaction>=4.0",
    "alembic>=1.12",
    "psycopg[binary]>=3.1",
    "requests>=2.31",
    "defusedxml>=0.7",
    "PyYAML>=6.0",
    "orjson>=3.9",
    "pyramid_retry>=2.1",
    "openapi-core>=0.19,<0.24",
    "openapi-spec-validator>=0.7",
    "swagger-ui-bundle>=1.1",
    "pyramid_jinja2>=2.10",
    # Background syncs on PostgreSQL (magpie.jobs); its schema is installed by migration 0008.
    "procrastinate>=3.10,<3.11",
    "croniter>=2.0",  # schedules (procrastinate's periodic tasks read the same syntax)
    "cryptography>=42",  # Fernet: service credentials encrypted at rest
    "argon2-cffi>=23.1",  # Argon2id password hashes (OWASP)
    "limits>=3.6",  # sign-in rate limit per client address (memory or Redis storage)
]

TEST_REQUIRES = [
    "pytest>=7.4",
    "WebTest>=3.0",
    "schemathesis>=4.0,<5",
    "playwright>=1.40",
]

setup(
    name="magpie",
    version="0.1.0",
    description="Keeps an access-control resource tree in step with the remote services it protects.",
    python_requires=">=3.11",
    packages=find_packages(exclude=["tests", "tests.*", "bench"]),
    include_package_data=True,
    package_data={"magpie": ["db/alembic/*.py", "db/alembic/*.mako", "db/alembic/versions/*.py", "api/openapi.yaml",
                            "ui/templates/*.jinja2", "ui/static/*"]},
    install_requires=INSTALL_REQUIRES,
    extras_require={"test": TEST_REQUIRES},
    entry_points={
        "paste.app_factory": ["main = magpie:main"],
        "paste.server_runner": ["main = magpie.server:serve"],
        "console_scripts": [
            "magpie-sync-resources = magpie.helpers.sync_resources:main",
            "magpie-register-providers = magpie.services.providers:main",
            "magpie-register-permissions = magpie.setup_files.commands:main",
            "magpie-migrate = magpie.db:migrate_main",
            "magpie-worker = magpie.jobs.worker:main",
            "magpie-rotate-secrets = magpie.services.secrets_rotation:main",
        ],
    },
)
