"""One package or module per AWS service; every action is authorize -> act -> record.

``base.py`` holds what they share (:class:`~sqskit.services.base.Service`, ``Call``, the
authorizer and audit-sink protocols); ``access.py`` is the world's policy authorizer,
``delivery.py`` how one service calls another as a service principal, ``patterns.py``
the content-filter language of SNS and EventBridge.
"""
