"""A program with a bug: the preview must say so and exit 2, not report policy results."""

import pulumi_aws as aws

settings = {"bucket": "reports"}
aws.s3.Bucket("reports", bucket=settings["bucket_name"])
