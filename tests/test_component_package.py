"""The pipelines as a Pulumi component package (provider/): the schema other languages see is the
one checked in, it describes every argument, and a component constructed through the provider
registers exactly what the Python API registers. Offline: the SDK's own analyzer and component
provider, no Pulumi CLI (which the provider's real use, `pulumi package add`, needs)."""

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import tomllib

import pytest
import yaml

from components import checks, config, provider
from tools import component_schema
from tools.program import REPO_ROOT, run_program, stack_config

SCHEMA = json.loads((REPO_ROOT / "provider" / "schema.json").read_text(encoding="utf-8"))
TOKEN = "event-pipelines:index:"
MODULES = {component.__name__: component.__module__ for component in provider.COMPONENTS}


def test_the_checked_in_schema_is_what_the_provider_serves():
    # Fails when an argument or output changes without `python -m tools.component_schema --write`.
    assert component_schema.rendered() == (REPO_ROOT / "provider" / "schema.json").read_text(
        encoding="utf-8"
    )
    assert component_schema.main([]) == 0


def test_the_package_version_is_the_distribution_s():
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert SCHEMA["version"] == provider.VERSION == pyproject["project"]["version"]


def _pins(path):
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return dict(line.split("==") for line in lines if "==" in line)


def test_the_provider_runs_on_the_sdks_the_suite_tests():
    ours = _pins(REPO_ROOT / "requirements.txt")
    provider_pins = _pins(REPO_ROOT / "provider" / "requirements.txt")
    assert provider_pins == {name: ours[name] for name in ("pulumi", "pulumi-aws")}


def test_every_pipeline_is_offered_and_described():
    assert set(SCHEMA["resources"]) == {
        TOKEN + name
        for name in (
            "EventPipelines",
            "UserBuckets",
            "StreamArchive",
            "ImageMetadata",
            "ObjectCopy",
            "NotesApi",
        )
    }
    for token, resource in SCHEMA["resources"].items():
        assert resource["isComponent"] is True, token
        assert resource["description"], token


def _properties():
    for token, resource in SCHEMA["resources"].items():
        for kind in ("inputProperties", "properties"):
            for name, prop in resource[kind].items():
                yield f"{token}.{kind}.{name}", prop
    for token, type_ in SCHEMA["types"].items():
        for name, prop in type_["properties"].items():
            yield f"{token}.{name}", prop


def test_every_property_and_type_has_a_description():
    # Nested options (function, stream...) are described by their type, not again where used.
    assert [
        w for w, prop in _properties() if "$ref" not in prop and not prop.get("description")
    ] == []
    assert [token for token, type_ in SCHEMA["types"].items() if not type_.get("description")] == []
    # Prose for other languages' doc comments: no docstring line breaks or indentation left.
    descriptions = [prop["description"] for _, prop in _properties() if "description" in prop]
    assert [d for d in descriptions if "\n" in d or "  " in d] == []


def test_required_and_secret_properties():
    required = {t: r.get("requiredInputs", []) for t, r in SCHEMA["resources"].items()}
    assert required == {
        TOKEN + "EventPipelines": [],  # an empty stack deploys nothing
        TOKEN + "UserBuckets": ["bucketPrefix"],  # bucket names are global: no default is safe
        TOKEN + "StreamArchive": [],
        TOKEN + "ImageMetadata": [],
        TOKEN + "ObjectCopy": [],
        TOKEN + "NotesApi": [],
    }
    # No argument or output carries a credential: nothing is marked secret.
    assert [where for where, prop in _properties() if prop.get("secret")] == []


def test_types_follow_the_arguments():
    users = SCHEMA["resources"][TOKEN + "UserBuckets"]["inputProperties"]
    assert users["bucketPrefix"]["type"] == "string"
    assert users["deletionProtection"]["type"] == "boolean"
    assert users["function"]["$ref"] == "#/types/" + TOKEN + "FunctionOptions"
    memory = SCHEMA["types"][TOKEN + "FunctionOptions"]["properties"]["memorySize"]
    assert memory["type"] == "integer"
    suffixes = SCHEMA["resources"][TOKEN + "ImageMetadata"]["inputProperties"]["suffixes"]
    assert suffixes["type"] == "array" and suffixes["items"]["type"] == "string"
    outputs = SCHEMA["resources"][TOKEN + "StreamArchive"]["properties"]
    assert outputs["tableArn"]["type"] == "string"


def _program(tmp_path, name: str, body: str):
    project = tmp_path / name
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: component-user\nruntime: python\n")
    (project / "__main__.py").write_text(textwrap.dedent(body))
    return run_program(project, config={})


# (component, its arguments as another language passes them (numbers as floats: the engine sends
# every number as one), and as Python does)
CASES = [
    (
        "EventPipelines",
        {"shared": {"customerKey": True, "tracing": True}, "objectCopy": {}, "notesApi": {}},
        {"shared": {"customer_key": True, "tracing": True}, "object_copy": {}, "notes_api": {}},
    ),
    (
        "UserBuckets",
        {
            "bucketPrefix": "acme-users",
            "function": {"memorySize": 512.0},
            "stream": {"batchSize": 10.0},
        },
        {
            "bucket_prefix": "acme-users",
            "function": {"memory_size": 512},
            "stream": {"batch_size": 10},
        },
    ),
    (
        "StreamArchive",
        {"versioning": False, "forceDestroy": True},
        {"versioning": False, "force_destroy": True},
    ),
    (
        "ImageMetadata",
        {"suffixes": [".png"], "invoke": {"maximumRetryAttempts": 1.0}},
        {"suffixes": [".png"], "invoke": {"maximum_retry_attempts": 1}},
    ),
    (
        "ObjectCopy",
        {"destinationPrefix": "copies/", "mirrorDeletes": True},
        {"destination_prefix": "copies/", "mirror_deletes": True},
    ),
    (
        "NotesApi",
        {"mfa": "ON", "allowedOrigins": ["http://localhost:8000"]},
        {"mfa": "ON", "allowed_origins": ["http://localhost:8000"]},
    ),
]


def _value(value):
    if hasattr(value, "assets"):  # an archive: what it contains
        return {path: _value(asset) for path, asset in value.assets.items()}
    for attribute in ("text", "path"):  # a string or file asset
        if hasattr(value, attribute):
            return getattr(value, attribute)
    return repr(value)


def _registered(run):
    return sorted(
        (r.type, r.name, json.dumps(r.inputs, sort_keys=True, default=_value))
        for r in run.resources
    )


@pytest.mark.parametrize("name, schema_inputs, python_args", CASES)
def test_through_the_provider_a_component_registers_what_python_registers(
    tmp_path, name, schema_inputs, python_args
):
    through_provider = _program(
        tmp_path,
        "provider",
        f"""
        import pulumi
        from components.provider import provider

        host = provider()
        result = host.construct("p", "{TOKEN}{name}", {schema_inputs!r}, None)
        for key, value in result.state.items():
            pulumi.export(key, value)
        """,
    )
    direct = _program(
        tmp_path,
        "python",
        f"""
        from {MODULES[name]} import {name}
        {name}("p", {python_args!r})
        """,
    )
    assert _registered(through_provider) == _registered(direct)
    # The provider hands back every output the schema promises.
    assert set(through_provider.outputs) == set(SCHEMA["resources"][TOKEN + name]["properties"])


def _camel(value):
    """Arguments as the schema names them (another language's program)."""
    if isinstance(value, dict):
        return {checks.camel(key): _camel(inner) for key, inner in value.items()}
    return value


def test_event_pipelines_through_the_provider_deploys_what_the_stack_program_deploys(tmp_path):
    # The dev stack's config, through the component other languages use, against __main__.py.
    values, _secrets = stack_config(REPO_ROOT, "dev")
    stack_args = config.parse(config.namespace_values(values)).event_pipelines_args()
    project = tmp_path / "stack"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: event-pipelines\nruntime: python\n")
    (project / "__main__.py").write_text(
        textwrap.dedent(
            f"""
            from components.provider import provider

            provider().construct(
                "stack", "{TOKEN}EventPipelines", {_camel(stack_args)!r}, None
            )
            """
        )
    )
    through_provider = run_program(project, config=values)
    program = run_program(REPO_ROOT, "dev")
    ours = [r for r in _registered(through_provider) if r[0] != TOKEN + "EventPipelines"]
    assert len(ours) > 100 and ours == _registered(program)


def test_the_provider_refuses_a_missing_required_input(tmp_path):
    with pytest.raises(Exception, match="Missing required input 'bucketPrefix'"):
        _program(
            tmp_path,
            "missing",
            f"""
            from components.provider import provider
            provider().construct("p", "{TOKEN}UserBuckets", {{}}, None)
            """,
        )


def test_a_bad_argument_from_another_language_is_named_as_that_language_spells_it(tmp_path):
    """A TypeScript or YAML program wrote memorySize: 64, not memory_size=64.0."""
    with pytest.raises(Exception) as raised:
        _program(
            tmp_path,
            "bad",
            f"""
            from components.provider import provider
            provider().construct(
                "p",
                "{TOKEN}StreamArchive",
                {{"function": {{"memorySize": 64.0}}, "stream": {{"batchSize": 0.0}}}},
                None,
            )
            """,
        )
    message = str(raised.value)
    assert "StreamArchive.function.memorySize: 64 is not accepted" in message
    assert "StreamArchive.stream.batchSize: 0 is not accepted" in message
    assert "memory_size" not in message and "StreamArchiveArgs" not in message


def test_the_plugin_entry_point_finds_the_components_of_its_checkout(tmp_path):
    # As the CLI runs it: from its own directory's virtualenv, the repository not on the path.
    site_packages = sysconfig.get_paths()["purelib"]
    probe = (
        "import runpy, sys; "
        f"ns = runpy.run_path({str(REPO_ROOT / 'provider' / '__main__.py')!r}, run_name='probe'); "
        "print(ns['serve'].__module__)"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": site_packages, "PYTHONNOUSERSITE": "1"}
    found = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "components.provider"
    plugin = yaml.safe_load((REPO_ROOT / "provider" / "PulumiPlugin.yaml").read_text("utf-8"))
    assert plugin["runtime"] == "python"
