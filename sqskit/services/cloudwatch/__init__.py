"""Amazon CloudWatch: metrics (the AWS/SQS namespace and custom ones) and alarms."""
