"""A program whose export waits on a future nothing resolves: without a time limit the preview
would wait for good."""

import asyncio

import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("reports")
never = asyncio.get_event_loop().create_future()
pulumi.export("reportsBucket", bucket.bucket)
pulumi.export("approval", pulumi.Output.from_input(never))
