"""The installed package works on its own: from the install target, without this repository on
sys.path, the components build each Lambda archive from the handler sources installed beside them,
and the policy pack runs from its installed directory as the Pulumi CLI runs it."""

import json
import re
from pathlib import Path

import pytest

from components import handler_code as repo_handler_code
from tests.installed_package import REPO_ROOT

# The modules a Lambda function is created with (each exposes handler(event, context)).
HANDLER_MODULES = sorted(
    p.stem
    for p in (REPO_ROOT / "handlers").glob("*.py")
    if re.search(r"^def handler\(event, context\)", p.read_text(), re.MULTILINE)
)
REPO_PACKAGES = ("components", "handlers", "policy", "least_privilege", "tools", "tests")

ARCHIVES = r"""
import importlib.util, json, pathlib, sys

importable = [n for n in json.loads(sys.argv[2]) if importlib.util.find_spec(n) is not None]

from event_pipelines.components import handler_code

reads = []
read_text = pathlib.Path.read_text
def recording_read_text(self, *args, **kwargs):
    reads.append(str(self.resolve()))
    return read_text(self, *args, **kwargs)
pathlib.Path.read_text = recording_read_text

archives = {}
for module in json.loads(sys.argv[1]):
    archive = handler_code.handler_archive(module)
    archives[module] = {
        "entry_point": handler_code.handler_entry_point(module),
        "files": {name: asset.text for name, asset in archive.assets.items()},
    }
print(json.dumps({
    "importable": importable,
    "handler_code": handler_code.__file__,
    "handlers_dir": str(handler_code.HANDLERS_DIR),
    "reads": reads,
    "archives": archives,
}))
"""

COMPONENTS = r"""
import importlib, json, pathlib, sys

from event_pipelines.components import handler_code

files = {}
for path in sorted(pathlib.Path(handler_code.__file__).parent.glob("*.py")):
    name = "event_pipelines.components" + ("" if path.stem == "__init__" else "." + path.stem)
    files[name] = importlib.import_module(name).__file__
notes_api = sys.modules["event_pipelines.components.notes_api"]
print(json.dumps({
    "files": files,
    "bucket_names": sys.modules["event_pipelines.handlers.bucket_names"].__file__,
    "top_level": sorted(n for n in sys.modules if n.split(".")[0] in ("components", "handlers")),
    "site_dir": str(notes_api.SITE_DIR),
}))
"""

LAMBDA = r"""
import importlib, json, sys

loaded = {}
for module, root in json.loads(sys.argv[1]).items():
    for name in [n for n in sys.modules if n == "handlers" or n.startswith("handlers.")]:
        del sys.modules[name]
    sys.path.insert(0, root)
    handler = importlib.import_module(f"handlers.{module}").handler
    loaded[module] = {"callable": callable(handler), "file": sys.modules["handlers"].__file__}
    sys.path.remove(root)
print(json.dumps(loaded))
"""

PACK = r"""
import importlib.util, json, sys

pack_dir = sys.argv[1]
before = importlib.util.find_spec("least_privilege")
sys.path.insert(0, pack_dir)  # as the Pulumi CLI runs a Python pack: its directory on sys.path
import least_privilege
from least_privilege import managed_policies

print(json.dumps({
    "before": before is not None,
    "least_privilege": least_privilege.__file__,
    "snapshot": str(managed_policies.SNAPSHOT),
    "managed_policies": len(managed_policies.names()),
    "policies": sorted(p.name for p in least_privilege.POLICIES),
}))
"""

LOAD_PACK = r"""
import json, sys

from tools import policy_pack

pack = policy_pack.load(sys.argv[1])
kind = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
props = policy_pack.to_struct(
    {"role": "r", "policyArn": "arn:aws:iam::aws:policy/job-function/SystemAdministrator"}
)
violations = pack.analyze(policy_pack.AnalyzedResource(
    urn=f"urn:pulumi:test::sample::{kind}::subject", type=kind, name="subject",
    inputs=props, outputs=props,
))
print(json.dumps({
    "name": pack.name,
    "rules": sorted(p.name for p in pack.info.policies),
    "violations": [[v.policy, v.enforcement, v.message] for v in violations],
    "left_loaded": sorted(n for n in sys.modules if n.split(".")[0] == "least_privilege"),
}))
"""


def run_json(installed_package, code: str, *args, cwd: Path, extra_path=()) -> dict:
    result = installed_package.python("-c", code, *args, cwd=cwd, extra_path=extra_path)
    return json.loads(result.stdout)


def under(path: str, directory: Path) -> bool:
    return Path(path).resolve().is_relative_to(directory.resolve())


@pytest.fixture(scope="module")
def archives(installed_package, tmp_path_factory):
    cwd = tmp_path_factory.mktemp("archives")
    return run_json(
        installed_package,
        ARCHIVES,
        json.dumps(HANDLER_MODULES),
        json.dumps(REPO_PACKAGES),
        cwd=cwd,
    )


def test_the_handlers_are_the_five_pipelines_lambda_modules():
    assert HANDLER_MODULES == [
        "image_metadata",
        "notes_api",
        "object_copy",
        "stream_archive",
        "user_buckets",
    ]


def test_the_repository_is_not_on_the_path(archives):
    assert archives["importable"] == []


def test_handler_code_is_the_installed_module(installed_package, archives):
    package = installed_package.package_dir
    assert Path(archives["handler_code"]) == package / "components" / "handler_code.py"
    assert Path(archives["handlers_dir"]) == (package / "handlers").resolve()


def test_every_archive_is_read_from_the_installed_handlers(installed_package, archives):
    installed = (installed_package.package_dir / "handlers").resolve()
    assert archives["reads"], "handler_archive read no file"
    outside = [p for p in archives["reads"] if not under(p, installed)]
    assert outside == [], f"read from outside the installed package: {outside}"
    archived = {
        str(installed / Path(name).name)
        for archive in archives["archives"].values()
        for name in archive["files"]
    }
    assert set(archives["reads"]) == archived


@pytest.mark.parametrize("module", HANDLER_MODULES)
def test_each_archive_holds_the_repository_sources_its_handler_needs(archives, module):
    archive = archives["archives"][module]
    expected = ["__init__", *repo_handler_code.module_closure(module)]
    assert sorted(archive["files"]) == sorted(f"handlers/{name}.py" for name in expected)
    for name, text in archive["files"].items():
        assert text == (REPO_ROOT / name).read_text(encoding="utf-8"), name
    assert archive["entry_point"] == f"handlers.{module}.handler"


def test_each_installed_archive_imports_as_lambda_imports_it(installed_package, archives, tmp_path):
    roots = {}
    for module, archive in archives["archives"].items():
        root = tmp_path / module
        for name, text in archive["files"].items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        roots[module] = str(root)
    loaded = run_json(installed_package, LAMBDA, json.dumps(roots), cwd=tmp_path)
    for module, found in loaded.items():
        assert found["callable"], module
        assert under(found["file"], Path(roots[module])), module


def test_every_component_module_imports_from_the_installed_package(installed_package, tmp_path):
    found = run_json(installed_package, COMPONENTS, cwd=tmp_path)
    components = installed_package.package_dir / "components"
    assert len(found["files"]) == len(list((REPO_ROOT / "components").glob("*.py")))
    assert [n for n, f in found["files"].items() if not under(f, components)] == []
    # config validates bucket names with the installed handlers' rules, as a sibling package
    assert under(found["bucket_names"], installed_package.package_dir / "handlers")
    assert found["top_level"] == []
    site = Path(found["site_dir"])
    assert site == (installed_package.package_dir / "site").resolve()
    assert (site / "index.html").read_text() == (REPO_ROOT / "site" / "index.html").read_text()


@pytest.fixture(scope="module")
def pack_dir(installed_package, tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("pack-dir")
    script = installed_package.scripts_dir / "event-pipelines-policy-pack"
    printed = {
        installed_package.python(script, cwd=cwd).stdout.strip(),
        installed_package.python(
            "-m", "event_pipelines.policy.pack_directory", cwd=cwd
        ).stdout.strip(),
    }
    assert len(printed) == 1, printed  # the console script and the module agree
    return Path(printed.pop())


def test_the_printed_pack_directory_is_the_installed_pack(installed_package, pack_dir):
    assert pack_dir == (installed_package.package_dir / "policy").resolve()
    assert (pack_dir / "PulumiPolicy.yaml").read_text() == (
        REPO_ROOT / "policy" / "PulumiPolicy.yaml"
    ).read_text()
    assert (pack_dir / "__main__.py").is_file()


def test_least_privilege_imports_from_the_pack_directory(installed_package, pack_dir, tmp_path):
    import least_privilege  # the repository's (pytest's pythonpath has policy/)

    found = run_json(installed_package, PACK, pack_dir, cwd=tmp_path)
    assert not found["before"], "least_privilege importable without the pack directory"
    assert Path(found["least_privilege"]) == pack_dir / "least_privilege" / "__init__.py"
    assert under(found["snapshot"], pack_dir)
    assert found["managed_policies"] > 1000  # the whole snapshot, read from the installed data
    assert found["policies"] == sorted(p.name for p in least_privilege.POLICIES)


def test_the_installed_pack_runs_as_the_cli_runs_it(installed_package, pack_dir, tmp_path):
    # tools.policy_pack (from the repository: it is not part of the package) runs __main__.py
    # with the pack directory first on sys.path; the repository root has no least_privilege.
    found = run_json(installed_package, LOAD_PACK, pack_dir, cwd=tmp_path, extra_path=[REPO_ROOT])
    assert found["name"] == "event-pipelines-least-privilege"
    assert found["left_loaded"] == []  # every least_privilege module came from the pack dir
    [(policy, level, message)] = found["violations"]
    assert (policy, level) == ("iam-no-broad-managed-policies", "mandatory")
    assert "its document (" in message  # judged by the installed managed policy snapshot
