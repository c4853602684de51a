"""Amazon SQS, served by sqskit: queues, messages, batches, permissions."""
