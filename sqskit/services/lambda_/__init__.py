"""AWS Lambda: functions, invocations, and event source mappings from SQS."""
