"""Speech for a note: Polly reads it out as MP3, the MP3 goes to the private audio bucket at
`<prefix><sub>/<NoteId>.mp3`, and the caller gets a presigned GET URL for it.

The URL is signed with the function's role credentials, so it stops working when they expire,
possibly before `expiresIn` (Lambda's credentials outlive the short expiries used here).
"""

import functools
import os
from contextlib import closing

import boto3
from botocore.config import Config

from handlers import aws_clients


def speak(text: str, user: str, note_id: int, settings) -> dict:
    key = f"{settings.audio_prefix}{user}/{note_id}.mp3"
    audio = aws_clients.client("polly").synthesize_speech(
        Text=text, OutputFormat="mp3", VoiceId=settings.voice_id
    )["AudioStream"]
    with closing(audio):
        mp3 = audio.read()
    aws_clients.client("s3").put_object(
        Bucket=settings.audio_bucket, Key=key, Body=mp3, ContentType="audio/mpeg"
    )
    url = presigned_get(settings.audio_bucket, key, settings.speech_url_expiry)
    return {"url": url, "expiresIn": settings.speech_url_expiry}


def presigned_get(bucket: str, key: str, expires_in: int) -> str:
    signer = _signing_client(
        aws_clients.region(),
        os.environ.get("AWS_ENDPOINT_URL"),
        os.environ.get("AWS_ACCESS_KEY_ID"),
    )
    return signer.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in
    )


@functools.cache
def _signing_client(region: str, endpoint: str | None, access_key: str | None):
    """An S3 client only for presigning (it sends no request), one per environment like
    aws_clients'. Without an explicit signature version botocore presigns with SigV2 and the
    global endpoint; SigV4 with virtual-hosted addressing gives the bucket's regional host, which
    the page's CSP allows. An emulator endpoint (an IP address) has no per-bucket host names, so
    there the bucket goes in the path."""
    style = "path" if endpoint else "virtual"
    config = Config(signature_version="s3v4", s3={"addressing_style": style})
    return boto3.Session().client("s3", region_name=region, config=config)
