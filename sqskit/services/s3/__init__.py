"""Amazon S3: buckets, objects, bucket policies and event notifications."""
