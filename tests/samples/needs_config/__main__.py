"""A program whose stack file lacks a required key."""

import pulumi
import pulumi_aws as aws

aws.s3.Bucket("reports", bucket=pulumi.Config().require("bucketName"))
