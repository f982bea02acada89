"""How the users table stores passwords: Argon2id (argon2-cffi, with OWASP's minimum cost), while
the salted PBKDF2-SHA256 hashes written before keep verifying and are replaced by Argon2id at the
next successful sign-in. ziggurat_foundations calls this as its password manager."""
from typing import Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from passlib.hash import pbkdf2_sha256

#: OWASP's password storage cheat sheet: Argon2id, 19 MiB, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class PasswordManager:
    """The part of passlib's ``CryptContext`` that ziggurat's ``UserService`` uses."""

    def hash(self, password: str) -> str:
        return HASHER.hash(password)

    encrypt = hash  # ziggurat looks the old passlib name up too

    def verify_and_update(self, password: str, stored: Optional[str]) -> Tuple[bool, Optional[str]]:
        """(whether ``password`` matches ``stored``, a new hash to store or None)."""
        if not stored:
            return False, None
        if stored.startswith("$pbkdf2-sha256$"):
            return (True, self.hash(password)) if pbkdf2_sha256.verify(password, stored) else (False, None)
        try:
            HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False, None
        return True, self.hash(password) if HASHER.check_needs_rehash(stored) else None


#: Verified for an unknown user name, so that it costs what a known one does (no timing oracle).
DUMMY_HASH = HASHER.hash("magpie: no such user")


def burn_time(password: str) -> None:
    """Spend the time of one password check, for a user who does not exist."""
    try:
        HASHER.verify(DUMMY_HASH, password)
    except VerificationError:
        pass
