"""The sandbox: a stack running on moto, with IAM enforced (docs/sandbox.md)."""

from tools.sandbox.moto_version import check_moto_version

# Before any module of the sandbox imports moto's internals: a release that moved one would
# otherwise fail with an ImportError rather than say which releases the sandbox supports.
check_moto_version()
