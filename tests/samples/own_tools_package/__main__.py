"""A program with its own `tools` package (a name the offline preview also uses)."""

import pulumi
import pulumi_aws as aws
from tools.naming import physical

prefix = pulumi.Config().get("prefix")
bucket = aws.s3.BucketV2("site", bucket=physical(prefix, "assets"))
pulumi.export("bucket", bucket.bucket)
