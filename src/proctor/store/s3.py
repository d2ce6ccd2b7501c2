"""S3 blob store with Object Lock in COMPLIANCE mode: the production backend for preserved records.

SEA 17a-4(f)(2)(i)(B) accepts non-rewriteable, non-erasable storage. In COMPLIANCE mode nobody,
including the bucket owner's root account, can delete an object version or shorten its retention
before its retain-until date, so each record is locked for exactly the period its retention rule
sets. Proctor's own disposal then works through the same store: once the date has passed the
version can be deleted, and until then the service refuses.

Configured by URL::

    s3://BUCKET/PREFIX?endpoint=http://127.0.0.1:9000&region=us-east-1

Credentials come from the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, or
an instance role), never from the URL, so a workspace's proctor.toml holds no secret.

Objects are named PREFIX/ab/cd/<sha256>.zst and hold zstd-compressed bytes, like the filesystem
store, so a blob moved between the two keeps its name. A bucket without Object Lock is refused:
writing records to storage that can silently delete them is the failure this module prevents.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import zstandard
from botocore.exceptions import BotoCoreError, ClientError

from proctor.store.blobs import BlobError

LOCK_MODE = "COMPLIANCE"
_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}


class S3ConfigError(BlobError):
    """The S3 URL or bucket cannot hold records: bad URL, unreachable, or no Object Lock."""


@dataclass(frozen=True)
class S3Location:
    """A parsed ``s3://`` URL."""

    bucket: str
    prefix: str
    endpoint: str | None
    region: str | None

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise S3ConfigError(f"not an S3 blob URL (expected s3://bucket/prefix?...): {url!r}")
        query = parse_qs(parts.query, keep_blank_values=True)
        unknown = sorted(set(query) - {"endpoint", "region"})
        if unknown:
            raise S3ConfigError(f"unknown S3 URL option(s) {', '.join(unknown)}; use endpoint and region")
        endpoint = query.get("endpoint", [None])[-1] or None
        region = query.get("region", [None])[-1] or None
        return cls(parts.netloc, parts.path.strip("/"), endpoint, region)


def parse_retain_until(value: str | datetime | None) -> datetime | None:
    """A retain-until date as an aware UTC datetime; a date without a zone is refused."""
    if value is None or isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BlobError(f"retain_until {value!r} is not an ISO 8601 date-time") from None
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise BlobError(f"retain_until {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)


class S3BlobStore:
    """Content-addressed blobs in an S3 bucket with Object Lock (COMPLIANCE mode)."""

    def __init__(self, location: S3Location, client: Any | None = None, level: int = 3) -> None:
        self.location = location
        self.level = level
        self.client = client or boto3.client(
            "s3", endpoint_url=location.endpoint, region_name=location.region
        )
        self._require_object_lock()

    @classmethod
    def from_url(cls, url: str) -> S3BlobStore:
        return cls(S3Location.parse(url))

    def _require_object_lock(self) -> None:
        bucket = self.location.bucket
        try:
            config = self.client.get_object_lock_configuration(Bucket=bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ObjectLockConfigurationNotFoundError":
                raise S3ConfigError(
                    f"bucket {bucket!r} does not have Object Lock enabled; records need a bucket "
                    "created with Object Lock (ObjectLockEnabledForBucket)"
                ) from None
            raise S3ConfigError(
                f"cannot read the Object Lock configuration of bucket {bucket!r}: {code}"
            ) from None
        except BotoCoreError as exc:
            raise S3ConfigError(f"cannot reach S3 for bucket {bucket!r}: {exc}") from None
        enabled = config.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled")
        if enabled != "Enabled":
            raise S3ConfigError(f"bucket {bucket!r} does not have Object Lock enabled")

    def key_for(self, sha256: str) -> str:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise BlobError(f"not a SHA-256 name: {sha256!r}")
        name = f"{sha256[:2]}/{sha256[2:4]}/{sha256}.zst"
        return f"{self.location.prefix}/{name}" if self.location.prefix else name

    def _head(self, sha256: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.head_object(Bucket=self.location.bucket, Key=self.key_for(sha256)))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code", "") in _MISSING:
                return None
            raise BlobError(f"cannot read blob {sha256}: {_code(exc)}") from None

    def put(self, data: bytes, retain_until: str | datetime | None = None) -> tuple[str, int]:
        """Store bytes locked until `retain_until`; returns (sha256, stored size).

        Storing content that is already there only ever extends its lock, never shortens it, so
        a second record with the same bytes but a later retain-until keeps both promises.
        Without a retain-until the bucket's default retention (if any) applies; a retain-until
        already past (an old archive imported late) sets no lock, as the service accepts only
        future dates and the record's retention has in any case ended.
        """
        sha = hashlib.sha256(data).hexdigest()
        until = parse_retain_until(retain_until)
        head = self._head(sha)
        if head is not None:
            current = head.get("ObjectLockRetainUntilDate")
            if until is not None and until > datetime.now(UTC) and (current is None or current < until):
                self.extend_retention(sha, until)
            return sha, int(head["ContentLength"])
        packed = zstandard.ZstdCompressor(level=self.level).compress(data)
        args: dict[str, Any] = {
            "Bucket": self.location.bucket,
            "Key": self.key_for(sha),
            "Body": packed,
            "ChecksumAlgorithm": "SHA256",
            "Metadata": {"content-sha256": sha},
        }
        if until is not None and until > datetime.now(UTC):
            args["ObjectLockMode"] = LOCK_MODE
            args["ObjectLockRetainUntilDate"] = until
        try:
            self.client.put_object(**args)
        except ClientError as exc:
            raise BlobError(f"cannot store blob {sha}: {_code(exc)}") from None
        return sha, len(packed)

    def extend_retention(self, sha256: str, retain_until: datetime) -> None:
        """Move an object's lock later (COMPLIANCE mode allows only that)."""
        try:
            self.client.put_object_retention(
                Bucket=self.location.bucket,
                Key=self.key_for(sha256),
                Retention={"Mode": LOCK_MODE, "RetainUntilDate": retain_until},
            )
        except ClientError as exc:
            raise BlobError(f"cannot extend retention of blob {sha256}: {_code(exc)}") from None

    def retention(self, sha256: str) -> tuple[str | None, datetime | None, bool]:
        """(lock mode, retain-until, legal hold on) as the service reports them for the object."""
        head = self._head(sha256)
        if head is None:
            raise BlobError(f"blob {sha256} is missing")
        return (
            head.get("ObjectLockMode"),
            head.get("ObjectLockRetainUntilDate"),
            head.get("ObjectLockLegalHoldStatus") == "ON",
        )

    def set_legal_hold(self, sha256: str, on: bool) -> None:
        """Place or lift an Object Lock legal hold, which blocks deletion whatever the date."""
        try:
            self.client.put_object_legal_hold(
                Bucket=self.location.bucket,
                Key=self.key_for(sha256),
                LegalHold={"Status": "ON" if on else "OFF"},
            )
        except ClientError as exc:
            raise BlobError(f"cannot set legal hold on blob {sha256}: {_code(exc)}") from None

    def sync(self) -> None:
        """Nothing to do: an object is durable once S3 acknowledges the PUT."""

    def get(self, sha256: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.location.bucket, Key=self.key_for(sha256))
            packed = response["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code", "") in _MISSING:
                raise BlobError(f"blob {sha256} is missing") from None
            raise BlobError(f"cannot read blob {sha256}: {_code(exc)}") from None
        try:
            data = zstandard.ZstdDecompressor().decompress(packed)
        except zstandard.ZstdError as exc:
            raise BlobError(f"blob {sha256} is corrupt: {exc}") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobError(f"blob {sha256} content does not match its hash")
        return data

    def exists(self, sha256: str) -> bool:
        return self._head(sha256) is not None

    def delete(self, sha256: str) -> None:
        """Delete every version of the object; the service refuses while any version is locked.

        A plain DELETE on a versioned bucket only adds a delete marker and leaves the bytes, so
        disposal removes each version by id: that is what Object Lock guards, and what must
        succeed for a record to be gone.
        """
        key = self.key_for(sha256)
        bucket = self.location.bucket
        try:
            listing = self.client.list_object_versions(Bucket=bucket, Prefix=key)
        except ClientError as exc:
            raise BlobError(f"cannot list versions of blob {sha256}: {_code(exc)}") from None
        versions = [
            v["VersionId"]
            for group in ("Versions", "DeleteMarkers")
            for v in listing.get(group, [])
            if v["Key"] == key
        ]
        for version in versions:
            try:
                self.client.delete_object(Bucket=bucket, Key=key, VersionId=version)
            except ClientError as exc:
                raise BlobError(
                    f"blob {sha256} cannot be deleted: the service refused ({_code(exc)}); "
                    "it is locked until its retain-until date or under a legal hold"
                ) from None


def _code(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
