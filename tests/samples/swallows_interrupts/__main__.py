"""A program that waits forever and swallows every interrupt, the tool's own included: only the
last line of defence (ending the process) can stop it."""

import time

import pulumi_aws as aws

aws.s3.Bucket("reports")
while True:
    try:
        time.sleep(3600)
    except BaseException:  # noqa: BLE001, S110 - the point of this sample
        pass
