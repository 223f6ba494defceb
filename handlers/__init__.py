"""Lambda handlers: standard library and boto3 only (what the Lambda Python runtime ships)."""
