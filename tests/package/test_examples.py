"""examples/python, a user's own program importing the installed package, runs through the offline
preview and the installed policy pack with no finding; the other languages' examples use only what
the component package's schema offers (they are not run here: no Pulumi CLI)."""

import json
import re

import yaml

from tools.program import REPO_ROOT, run_program

EXAMPLES = REPO_ROOT / "examples"
SCHEMA = json.loads((REPO_ROOT / "provider" / "schema.json").read_text(encoding="utf-8"))


def test_the_python_example_previews_clean_with_the_installed_package(installed_package, tmp_path):
    report = tmp_path / "report.json"
    pack = installed_package.package_dir / "policy"
    # The repository is on the path for tools.preview only; the example's `event_pipelines`
    # exists only in the install target.
    installed_package.python(
        "-m", "tools.preview", "--dir", EXAMPLES / "python", "--stack", "dev",
        "--policy-pack", pack, "--json", report,
        cwd=tmp_path, extra_path=(REPO_ROOT,),
    )  # fmt: skip
    result = json.loads(report.read_text(encoding="utf-8"))
    types = {r["type"] for r in result["resources"]}
    assert {"event-pipelines:index:UserBuckets", "event-pipelines:index:ImageMetadata"} <= types
    assert "aws:kms/key:Key" in types  # the shared protection reached the pipelines' resources
    assert result["violations"] == []


def _uses(text: str, pattern: str) -> set:
    return set(re.findall(pattern, text))


def test_the_yaml_example_uses_only_schema_components_and_inputs():
    program = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text(encoding="utf-8"))
    for name, resource in program["resources"].items():
        token = resource["type"]
        assert token in SCHEMA["resources"], name
        accepted = SCHEMA["resources"][token]["inputProperties"]
        assert set(resource.get("properties", {})) <= set(accepted), name
        for required in SCHEMA["resources"][token].get("requiredInputs", []):
            assert required in resource["properties"], (name, required)
    for output in program.get("outputs", {}).values():
        resource, attribute = re.fullmatch(r"\$\{(\w+)\.(\w+)\}", output).groups()
        token = program["resources"][resource]["type"]
        assert attribute in SCHEMA["resources"][token]["properties"], output


def _literal(source: str, start: int) -> str:
    """The object literal `{...}` that opens at or after `start`."""
    start = source.index("{", start)
    depth = 0
    for end in range(start, len(source)):
        depth += {"{": 1, "}": -1}.get(source[end], 0)
        if depth == 0:
            return source[start : end + 1]
    raise ValueError("unbalanced braces")


def test_the_typescript_example_uses_only_schema_components_and_inputs():
    source = (EXAMPLES / "typescript" / "index.ts").read_text(encoding="utf-8")
    types = {token.split(":")[-1]: type_["properties"] for token, type_ in SCHEMA["types"].items()}
    constructed = list(re.finditer(r"const (\w+) = new eventPipelines\.(\w+)\(", source))
    assert constructed, "the example constructs no component"
    variables = {}
    for match in constructed:
        variable, component = match.groups()
        resource = SCHEMA["resources"][f"event-pipelines:index:{component}"]
        variables[variable] = resource
        accepted = set(resource["inputProperties"]).union(*map(set, types.values()))
        used = set(re.findall(r"(\w+):", _literal(source, match.end())))
        assert used <= accepted, (component, used - accepted)
    for variable, output in re.findall(r"= (\w+)\.(\w+);", source):
        assert output in variables[variable]["properties"], output


def _as_the_engine_sends(value):
    """Numbers as floats, the only number the engine's wire format has."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {key: _as_the_engine_sends(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_as_the_engine_sends(inner) for inner in value]
    return value


def _typescript_arguments(source: str) -> list:
    """(component, its arguments) of each `new eventPipelines.X("name", {...})`, the object
    literals read as JSON (the example keeps to plain literals)."""
    found = []
    for match in re.finditer(r"new eventPipelines\.(\w+)\(\s*\"[\w-]+\",", source):
        literal = _literal(source, match.end())
        as_json = re.sub(r"(\w+):", r'"\1":', literal)
        as_json = re.sub(r",(\s*[}\]])", r"\1", as_json)  # trailing commas
        found.append((match.group(1), json.loads(as_json)))
    return found


def _construct_all(tmp_path, constructions: list) -> None:
    """Each (component, inputs) through the component provider under mocks, as the engine would
    hand them to it: every input checked by the component's own arguments."""
    project = tmp_path / "through-provider"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: example\nruntime: python\n")
    calls = "".join(
        f"host.construct({f'r{i}'!r}, 'event-pipelines:index:{component}', "
        f"{_as_the_engine_sends(inputs)!r}, None)\n"
        for i, (component, inputs) in enumerate(constructions)
    )
    (project / "__main__.py").write_text(
        "from components.provider import provider\nhost = provider()\n" + calls
    )
    run = run_program(project, config={})
    for component, _inputs in constructions:
        assert run.of_type(f"event-pipelines:index:{component}")


def test_the_yaml_example_constructs_through_the_provider(tmp_path):
    program = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text(encoding="utf-8"))
    _construct_all(
        tmp_path,
        [
            (resource["type"].split(":")[-1], resource.get("properties", {}))
            for resource in program["resources"].values()
        ],
    )


def test_the_typescript_example_constructs_through_the_provider(tmp_path):
    source = (EXAMPLES / "typescript" / "index.ts").read_text(encoding="utf-8")
    constructions = _typescript_arguments(source)
    assert len(constructions) == 2
    _construct_all(tmp_path, constructions)
