"""Queue semantics, pure and time-injected: what SQS does to a message, and nothing else.

Read ``message.py`` (the states a message moves through), then ``queue.py`` (the standard
queue: visibility, delay, retention, receipts), ``fifo.py`` (group order, deduplication)
and ``redrive.py`` (dead-letter queues and move tasks); ``storage.py`` is how a queue
keeps its messages fast. The engine knows nothing of policies, encryption or the wire:
bodies are opaque, and every method takes ``now``.
"""
