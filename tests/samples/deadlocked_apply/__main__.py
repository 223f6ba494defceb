"""A program that deadlocks inside an apply: the lock is not reentrant."""

import threading

import pulumi_aws as aws

lock = threading.Lock()
bucket = aws.s3.Bucket("site")


def policy_for(name: str) -> str:
    lock.acquire()
    lock.acquire()  # waits for itself
    return '{"Version": "2012-10-17", "Statement": []}'


aws.s3.BucketPolicy("site-policy", bucket=bucket.id, policy=bucket.id.apply(policy_for))
