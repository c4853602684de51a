"""AWS KMS, served by sqskit: symmetric keys, aliases, key policies, envelope encryption."""
