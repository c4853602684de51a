"""Checks of lab 11 (incident response): four flags, the fixed policy, the validator, and
the verification of the fixed world.

* ``flags.py``: 11.1 to 11.4, facts about the prepared incident, held as salted hashes;
* ``policy.py``: 11.5, the queue policy fixed, judged by probes;
* ``validator.py``: 11.6, ``validate_job``, judged by good jobs it must return and forged
  or malformed ones it must refuse with ValueError;
* ``fixed_world.py``: 11.7, the world itself: its policy, its encryption, and where every
  waiting job went.
"""

from __future__ import annotations

from .fixed_world import world_fixed
from .flags import (
    FLAGS,
    ITEMS,
    SALT,
    digest,
    forged_jobs_found,
    intruder,
    intruder_reads,
    listed,
    tampered_files_found,
)
from .policy import MISTAKES_11_5, fix_probes, incident_probes, policy_fixed
from .validator import jobs_validated, refused_bodies

__all__ = [
    "FLAGS", "ITEMS", "MISTAKES_11_5", "SALT", "digest", "fix_probes", "forged_jobs_found",
    "incident_probes", "intruder", "intruder_reads", "jobs_validated", "listed",
    "policy_fixed", "refused_bodies", "tampered_files_found", "world_fixed",
]
