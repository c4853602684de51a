"""What makes a queue a security boundary: policies, encryption, and the audit trail.

``policy/`` (the IAM policy language, evaluation and explanations), ``keys.py`` and
``envelope.py`` (KMS keys and envelope encryption), ``crypto.py`` (the cryptographic
primitives, the one module that imports ``cryptography``), ``signing.py`` (SNS message
signatures), and the trail: ``events.py``, ``trail.py``, ``lake.py``, ``bucket.py``,
``integrity.py`` and ``validation.py`` (log files, signed digests, validate-logs).
"""
