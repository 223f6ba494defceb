"""The moto releases the sandbox supports, checked before any of moto's internals are imported.

moto rewrites its internals within patch releases (5.2.6 changed request parsing under the
sandbox's patches), so the range is the releases the suite and the stories were run on, not a
guess at what might work: a newer release is refused, naming the range, until it has been tried
(the newest-dependencies workflow tries it every week) and the range moved.
"""

from importlib.metadata import version

from packaging.specifiers import SpecifierSet
from packaging.version import Version

SUPPORTED_MOTO = ">=5.2.5,<=5.2.6"


class UnsupportedMoto(RuntimeError):
    """The installed moto is outside SUPPORTED_MOTO."""


def check_moto_version(installed: str | None = None) -> None:
    """Refuse a moto the sandbox was not tested with: a half-working sandbox proves nothing."""
    installed = installed or version("moto")
    if Version(installed) not in SpecifierSet(SUPPORTED_MOTO):
        raise UnsupportedMoto(
            f"moto {installed} is installed; the sandbox supports moto{SUPPORTED_MOTO} "
            "(install the version requirements-dev.txt pins)"
        )
