"""AWS Identity and Access Management: users, roles and their policies (``world.client("iam")``)."""
