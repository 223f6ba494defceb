"""What the wheel holds: every source the package maps, the pack's data, metadata; nothing else."""

import email.parser
import subprocess
import zipfile
from pathlib import PurePosixPath

import pytest

from tests.installed_package import DISTRIBUTION, IMPORT_NAME, REPO_ROOT

# Repository directory -> where the wheel puts it (pyproject.toml, [tool.setuptools] package-dir).
MAPPED = {
    "components": f"{IMPORT_NAME}/components",
    "handlers": f"{IMPORT_NAME}/handlers",
    "policy": f"{IMPORT_NAME}/policy",
    "site": f"{IMPORT_NAME}/site",
}
DIST_INFO = f"{IMPORT_NAME}-0.1.0.dist-info"


def source_files(directory: str) -> set:
    """The files git sees in `directory` (tracked, or new and not ignored), as repo paths."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", directory],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {path for path in listed if (REPO_ROOT / path).is_file()}  # not deleted ones


def in_wheel(repo_path: str) -> str:
    top, _, rest = repo_path.partition("/")
    return f"{MAPPED[top]}/{rest}"


@pytest.fixture(scope="module")
def wheel(installed_package):
    with zipfile.ZipFile(installed_package.wheel) as archive:
        yield archive


@pytest.fixture(scope="module")
def names(wheel):
    return set(wheel.namelist())


def test_the_wheel_is_pure_python_and_named_for_the_version(installed_package):
    assert installed_package.wheel.name == f"{IMPORT_NAME}-0.1.0-py3-none-any.whl"


def test_every_handler_and_component_module_is_inside(names):
    for directory in ("handlers", "components"):
        modules = {str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / directory).glob("*.py")}
        assert modules, directory
        missing = sorted(p for p in modules if in_wheel(p) not in names)
        assert not missing, f"not in the wheel: {missing}"


def test_the_policy_pack_directory_is_inside_whole(names):
    expected = {in_wheel(p) for p in source_files("policy")}
    pack = f"{IMPORT_NAME}/policy/"
    for name in (
        "PulumiPolicy.yaml",
        "__main__.py",
        "requirements.txt",
        "config/dev.json",
        "config/prod.json",
        "least_privilege/__init__.py",
        "least_privilege/managed_policies.py",
        "least_privilege/data/aws_managed_policies.json.gz",  # managed_policies.SNAPSHOT
        "pack_directory.py",
    ):
        assert pack + name in expected, name  # the list below is not vacuous
    assert sorted(expected - names) == []
    assert {n for n in names if n.startswith(pack)} == expected


def test_the_notes_site_the_notes_api_uploads_is_inside(names):
    expected = {in_wheel(p) for p in source_files("site")}
    assert f"{IMPORT_NAME}/site/index.html" in expected
    assert {n for n in names if n.startswith(f"{IMPORT_NAME}/site/")} == expected


def test_nothing_else_is_inside(names):
    sources = {in_wheel(p) for top in MAPPED for p in source_files(top)}
    package_files = {n for n in names if not n.startswith(f"{DIST_INFO}/")}
    assert package_files == sources
    for name in names:
        parts = PurePosixPath(name).parts
        assert parts[0] in (IMPORT_NAME, DIST_INFO), name
        assert not {"tests", "tools", ".venv", "__pycache__", "venv", "bench"} & set(parts), name
        assert not name.endswith((".pyc", ".pyo")), name
    # event_pipelines is a namespace package: no __init__.py of its own
    assert f"{IMPORT_NAME}/__init__.py" not in names


def test_metadata_names_the_version_license_and_dependency_ranges(wheel):
    metadata = email.parser.Parser().parsestr(wheel.read(f"{DIST_INFO}/METADATA").decode())
    assert metadata["Name"] == DISTRIBUTION
    assert metadata["Version"] == "0.1.0"
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata.get_all("License-File") == ["LICENSE"]
    requires = metadata.get_all("Requires-Dist")
    assert "pulumi<4,>=3.272.0" in requires
    assert "pulumi-aws<8,>=7.51.1" in requires
    assert any(r.startswith("pulumi-policy") and 'extra == "policy"' in r for r in requires)
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().startswith("# event-pipelines")  # README.md


def test_the_license_is_the_apache_license(wheel):
    text = wheel.read(f"{DIST_INFO}/licenses/LICENSE").decode()
    assert text == (REPO_ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_console_script_prints_the_pack_directory(wheel):
    entry_points = wheel.read(f"{DIST_INFO}/entry_points.txt").decode()
    assert (
        "event-pipelines-policy-pack = event_pipelines.policy.pack_directory:main" in entry_points
    )


def test_building_in_a_tree_leaves_only_what_gitignore_ignores(installed_package):
    # `pip install .` / `pip wheel .` build in place: setuptools writes build/ and the egg-info.
    assert installed_package.build_leftovers, "expected setuptools' in-tree build directories"
    for entry in installed_package.build_leftovers:
        ignored = subprocess.run(
            ["git", "check-ignore", "--quiet", "--no-index", f"{entry}/"],
            check=False,
            cwd=REPO_ROOT,
        )
        assert ignored.returncode == 0, f"{entry}/ is not in .gitignore"
