"""Checks of lab 05 (envelope encryption): sealing by hand, an SSE-KMS queue, the key policy
a producer needs, the cost in KMS calls, and a disabled key.

* ``sealing.py``: 05.1 ``seal`` and 05.2 ``open_sealed``, opened by the check on its own;
* ``sse_queue.py``: 05.3 parse-jobs under Snowy's key, and 05.5 the KMS calls it makes;
* ``key_policy.py``: 05.4 the parser's key policy statement, judged by probes;
* ``disabled_key.py``: 05.6 the reports stuck under a disabled key, and the repair.
"""

from __future__ import annotations

from .disabled_key import REPAIRS, pipeline_restored
from .key_policy import KEY_ARN, SNOWYS, key_policy_probes, parser_key_statement
from .sealing import open_works, seal_works
from .sse_queue import CHANGE, encrypted_queue, kms_calls

__all__ = [
    "CHANGE", "KEY_ARN", "REPAIRS", "SNOWYS", "encrypted_queue", "key_policy_probes",
    "kms_calls", "open_works", "parser_key_statement", "pipeline_restored", "seal_works",
]
