"""Amazon EventBridge: event buses, rules with event patterns, and targets."""
