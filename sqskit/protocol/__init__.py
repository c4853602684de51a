"""From a service's result to the wire and back through botocore's own parser.

``exchange.py`` runs one request; ``wire.py`` (JSON and query protocols) and ``rest.py``
(rest-json, rest-xml, EC2) encode results and errors; ``conformance.py`` checks results
against botocore's output shapes; ``records.py`` and ``trail_rules.py`` turn each call
into a CloudTrail record.
"""
