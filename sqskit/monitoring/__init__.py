"""CloudWatch-like metrics and alarms: pure data structures on injected time."""
