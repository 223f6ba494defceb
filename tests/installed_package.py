"""The event-pipelines distribution as a user gets it: built into a wheel, installed into a
directory of its own, run from there without this repository on the path.

`installed_package` is a session fixture (one build per pytest process, about a second). To use it
outside tests/package, import it into that directory's conftest.py:

    from tests.installed_package import installed_package  # noqa: F401

then run code against the installed package with `installed_package.python(...)`: a subprocess
whose sys.path holds the install target and this virtualenv's site-packages (pulumi, boto3, ...),
never the repository root, with its working directory in a temporary directory.

The wheel is built from a copy of the working tree (without .git, the virtualenvs and caches), so
setuptools' in-tree build/ and *.egg-info never land in the repository and concurrent sessions
(pytest-xdist workers) never share them; `build_leftovers` says what the build wrote there.
Offline: `pip wheel --no-build-isolation --no-index` uses the setuptools requirements-dev.txt pins.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "event-pipelines"
IMPORT_NAME = "event_pipelines"
# Top-level entries of the working tree a wheel build never needs (the rest is copied).
_NOT_COPIED = {"build", "dist"}


@dataclass(frozen=True)
class InstalledPackage:
    wheel: Path
    target: Path  # `pip install --target`: event_pipelines/, its .dist-info, bin/
    source: Path  # the copy of the working tree the wheel was built from
    build_leftovers: tuple  # top-level entries the build added to that copy (e.g. build/)
    seconds: float  # copy + build + install

    @property
    def package_dir(self) -> Path:
        return self.target / IMPORT_NAME

    @property
    def scripts_dir(self) -> Path:
        return self.target / "bin"

    def env(self, *extra_path) -> dict:
        """The environment of a process that sees the installed package, not the repository."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        paths = [str(self.target), *map(str, extra_path), sysconfig.get_paths()["purelib"]]
        env.update(PYTHONPATH=os.pathsep.join(paths), PYTHONNOUSERSITE="1")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def python(
        self, *args, cwd: Path, extra_path=(), check: bool = True
    ) -> subprocess.CompletedProcess:
        """`python *args` (this interpreter) against the installed package, in `cwd`."""
        result = subprocess.run(
            [sys.executable, *map(str, args)],
            check=False,
            cwd=cwd,
            env=self.env(*extra_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode:
            raise AssertionError(
                f"python {' '.join(map(str, args))[:200]} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result


def _ignore_at_root(directory: str, names: list) -> set:
    here = Path(directory).resolve()
    if here == REPO_ROOT:
        return {
            n for n in names if n.startswith(".") or n in _NOT_COPIED or n.endswith(".egg-info")
        }
    if here == REPO_ROOT / "policy":
        return {"venv"} & set(names)  # the pack environment the Pulumi CLI creates
    return set()


def _pip(*args, cwd: Path) -> None:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args, "--no-index", "--quiet"],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode:
        raise AssertionError(
            f"pip {' '.join(args)} failed ({result.returncode}); requirements-dev.txt pins the "
            f"setuptools the build needs:\n{result.stdout}\n{result.stderr}"
        )


def build_and_install(workdir: Path) -> InstalledPackage:
    """Build the wheel from a copy of the working tree and install it into workdir/site."""
    started = time.monotonic()
    source = workdir / "source"
    shutil.copytree(REPO_ROOT, source, ignore=_ignore_at_root, symlinks=True)
    copied = set(os.listdir(source))
    wheels = workdir / "wheels"
    _pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", wheels, source, cwd=workdir)
    (wheel,) = wheels.glob("*.whl")
    target = workdir / "site"
    _pip("install", "--no-deps", "--no-compile", "--target", target, wheel, cwd=workdir)
    return InstalledPackage(
        wheel=wheel,
        target=target,
        source=source,
        build_leftovers=tuple(sorted(set(os.listdir(source)) - copied)),
        seconds=time.monotonic() - started,
    )


@pytest.fixture(scope="session")
def installed_package(tmp_path_factory) -> InstalledPackage:
    return build_and_install(tmp_path_factory.mktemp("installed-package"))
