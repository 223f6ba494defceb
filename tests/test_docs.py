"""The documentation says what the code does: every config key, policy rule and Make target is
documented, every command shown runs (its module, flags and paths exist), every link resolves.

The README is the front door (at most 200 lines); docs/ holds one page per subject.
"""

import importlib.util
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from components import args, checks, config

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CONFIGURATION = DOCS / "configuration.md"
POLICY_PACK = DOCS / "policy-pack.md"
README_MAX_LINES = 200
INSTALLED = "event_pipelines"  # the import name of the pip-installed package (pyproject.toml)
# Paths the docs tell you to create: the pack's virtualenv (python3 -m venv policy/venv && ...),
# a new stack's pack config (docs/ci.md, "Adding a stack").
CREATED_BY_COMMANDS = ("policy/venv", "policy/config/staging.json")
CHECKED_PATHS = re.compile(
    r"(?<![\w./-])((?:tests|ci|bench|tools|handlers|components|policy|site|examples|provider|docs"
    r"|\.github)/[\w./-]*)"
)
SHELL_LANGUAGES = {"", "sh", "bash", "shell", "console", "text"}
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
UNKNOWN = "zzNotAKey"


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md")), ROOT / "examples" / "README.md"]


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def without_fences(text: str) -> str:
    return FENCE.sub("", text)


def code_lines(text: str) -> list[str]:
    """Shell lines of fenced blocks (continuations joined) and inline code spans."""
    lines = []
    for language, body in FENCE.findall(text):
        if language in SHELL_LANGUAGES:
            lines += body.replace("\\\n", " ").splitlines()
    lines += re.findall(r"`([^`\n]+)`", without_fences(text))
    return [line.split(" #", 1)[0].strip().removeprefix("$ ") for line in lines]


def segments(line: str) -> list[list[str]]:
    """The simple commands of a shell line, as words (brackets of usage lines stripped)."""
    return [
        [word.strip("[]()'\"") for word in part.split()]
        for part in re.split(r"&&|\|\||;|\|", line)
        if part.strip()
    ]


# --- configuration -------------------------------------------------------------------------------


def accepted_keys(values: dict) -> dict[str, list[str]]:
    """{where: accepted keys} from the config's own error for an unknown key in `values`."""
    with pytest.raises(config.ConfigError) as error:
        config.parse(values)
    found = {}
    for line in str(error.value).splitlines():
        match = re.search(
            rf"event-pipelines:(\S*?){UNKNOWN}: unknown key; accepted keys: (.*)$", line
        )
        if match:
            found[match[1].rstrip(".:")] = [key.strip() for key in match[2].split(",")]
    return found


def config_sections() -> dict[str, list[str]]:
    """Every section of the stack config ("" for the top level) and the keys it accepts."""
    sections = {"": accepted_keys({UNKNOWN: 1})[""]}
    for key in sections[""]:
        try:
            sections.update(accepted_keys({key: {UNKNOWN: 1}}))
        except AssertionError:  # pytest.raises: this key's value is no section, nothing raised
            pass
    return sections


def test_config_sections_are_found():
    sections = config_sections()
    assert len(sections[""]) > 5
    assert {"waf", "alarms", "userBuckets", "notesApi"} <= set(sections)


def test_every_config_key_is_documented():
    documented = text_of(CONFIGURATION)
    headings = set(re.findall(r"^#+ (.+)$", without_fences(documented), re.MULTILINE))
    missing = []
    for section, keys in config_sections().items():
        if section and section not in headings:
            missing.append(f"## {section}")
        missing += [
            f"{section}.{key}" if section else key
            for key in keys
            if f"`{key}`" not in documented and f"`{section}.{key}`" not in documented
        ]
    assert missing == [], f"not in {CONFIGURATION.relative_to(ROOT)}"


# --- policy pack ---------------------------------------------------------------------------------


def rule_names() -> list[str]:
    # policy/__main__.py starts a gRPC server when imported: read what it builds the pack from.
    main = text_of(ROOT / "policy" / "__main__.py")
    assert "from least_privilege import" in main and "policies=POLICIES" in main
    from least_privilege import POLICIES

    return [policy.name for policy in POLICIES]


def test_every_rule_is_documented_with_a_failing_and_a_passing_example():
    documented = text_of(POLICY_PACK)
    sections = {
        part.split("\n", 1)[0].strip(): part
        for part in re.split(r"^### ", documented, flags=re.MULTILINE)[1:]
    }
    problems = []
    for name in rule_names():
        section = re.split(r"^#{1,3} ", sections.get(name, ""), flags=re.MULTILINE)[0]
        fails = re.search(r"^Fails:\n\n```\w*\n(.+?)^```", section, re.MULTILINE | re.DOTALL)
        passes = re.search(r"^Passes:\n\n```\w*\n(.+?)^```", section, re.MULTILINE | re.DOTALL)
        if not (name in sections and fails and passes and fails.start() < passes.start()):
            problems.append(name)
        # What it checks, why, and how to fix it, as cdk-nag's rules list gives each rule.
        problems += [
            f"{name} ({part})" for part in ("Checks", "Why", "Fix") if f"**{part}**" not in section
        ]
        if f"`{name}`" not in documented.split("### ", 1)[0]:
            problems.append(f"{name} (summary table)")
    assert problems == [], (
        "each rule: '### <name>', **Checks**, **Why**, **Fix**, then 'Fails:' and 'Passes:' blocks"
    )


def test_rule_examples_compile():
    blocks = re.findall(r"^```python\n(.*?)^```", text_of(POLICY_PACK), re.MULTILINE | re.DOTALL)
    assert blocks
    for block in blocks:
        compile(block, str(POLICY_PACK), "exec")


# --- make targets and commands -------------------------------------------------------------------


def make_targets() -> list[str]:
    phony = re.search(r"^\.PHONY:(.*)$", text_of(ROOT / "Makefile"), re.MULTILINE)
    assert phony
    return phony[1].split()


def test_every_make_target_is_documented():
    documented = "\n".join(text_of(page) for page in pages())
    assert [t for t in make_targets() if not re.search(rf"\bmake {t}\b", documented)] == []


def own_source(module: str) -> str | None:
    """The source of one of this repository's modules (every file of a package), else None."""
    spec = importlib.util.find_spec(module)
    assert spec is not None, module
    origin = Path(spec.origin or "")
    if ROOT not in origin.parents or ".venv" in origin.parts:
        return None
    files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
    return "\n".join(text_of(path) for path in files)


def help_text(module: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return run.stdout


def command_problems(line: str) -> list[str]:
    problems = []
    for words in segments(line):
        for i, word in enumerate(words):
            rest = words[i + 1 :]
            target = rest[0] if word == "make" and rest else ""
            if re.fullmatch(r"[a-z][\w-]*", target) and target not in make_targets():
                problems.append(f"make {target}: no such target")
            if re.fullmatch(r"(\S*/)?python(3[.\d]*)?", word) and rest[:1] == ["-m"] and rest[1:]:
                module = rest[1]
                if module.startswith(INSTALLED + "."):
                    # The installed package's modules are this repository's top-level directories.
                    path = ROOT.joinpath(*module.split(".")[1:])
                    if not (path.with_suffix(".py").is_file() or path.is_dir()):
                        problems.append(f"python -m {module}: no such module in the package")
                    continue
                if importlib.util.find_spec(module) is None:
                    problems.append(f"python -m {module}: no such module")
                    continue
                source = own_source(module)
                for flag in (w.split("=", 1)[0] for w in rest[2:] if w.startswith("--")):
                    quoted = re.search(rf"[\"']{re.escape(flag)}[\"']", source or "")
                    if source is not None and not quoted and flag not in help_text(module):
                        problems.append(f"python -m {module} {flag}: no such option")
            if re.fullmatch(r"(\S*/)?pytest", word):
                for path in (w.split("::", 1)[0] for w in rest if not w.startswith("-")):
                    if "/" in path and not (ROOT / path).exists():
                        problems.append(f"pytest {path}: no such file")
            if re.fullmatch(r"(\S*/)?pip3?", word) and rest[:1] == ["install"]:
                problems += [
                    f"pip install -r {file}: no such file"
                    for flag, file in itertools.pairwise(rest)
                    if flag == "-r" and not (ROOT / file).exists()
                ]
    for path in CHECKED_PATHS.findall(line):
        path = path.rstrip(".,:")
        placeholder = any(c in path for c in "<>*{}") or path.startswith(CREATED_BY_COMMANDS)
        if not placeholder and not (ROOT / path).exists():
            problems.append(f"{path}: no such file")
    return problems


@pytest.mark.parametrize("page", pages(), ids=lambda page: page.name)
def test_every_command_shown_exists(page):
    problems = [
        f"{line!r}: {problem}"
        for line in code_lines(text_of(page))
        for problem in command_problems(line)
    ]
    assert problems == []


def test_the_command_checks_catch_mistakes():
    assert command_problems("make deploy")
    assert command_problems("python -m tools.preview --no-such-flag")
    assert command_problems("python -m tools.nothing_here")
    assert command_problems("pytest tests/test_nothing_here.py::test_x")
    assert command_problems("pip install -r nothing/requirements.txt")
    assert command_problems("see tests/nothing_here/")
    assert command_problems("see examples/nothing_here/ and docs/nothing.md")
    assert not command_problems(
        "JOBS=4 make test && .venv/bin/python -m tools.sandbox [--dir PROJECT_DIR] [--demo]"
    )


# --- the README and links ------------------------------------------------------------------------


def test_the_readme_is_a_front_door():
    lines = text_of(README).splitlines()
    assert len(lines) <= README_MAX_LINES


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", without_fences(text_of(path)), re.MULTILINE):
        anchor, n = slug(heading), 1
        while anchor in found:  # GitHub numbers repeated headings: name, name-1, ...
            anchor, n = f"{slug(heading)}-{n}", n + 1
        found.add(anchor)
    return found


@pytest.mark.parametrize("page", pages(), ids=lambda page: page.name)
def test_every_relative_link_resolves(page):
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", without_fences(text_of(page))):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        if not path.exists():
            problems.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            problems.append(f"{target}: no such heading")
    assert problems == []


# --- defaults: configuration.md's "default" column against what the code resolves --------------


def _literal_default(cell: str):
    """A default cell that is one plain literal (30, true, `OPTIONAL`, `""`, 5368709120 (5 GiB)),
    else None (prose such as "auto-named", or several values)."""
    cell = re.sub(r"\s*\(\d+(\.\d+)? [KMG]iB\)$", "", cell.strip())
    if re.fullmatch(r"\d+", cell):
        return int(cell)
    if cell in ("true", "false"):
        return cell == "true"
    if quoted := re.fullmatch(r"`([^`<]*)`", cell):  # not a pattern such as `<name>-<hex>`
        inner = quoted[1]
        return json.loads(inner) if inner.startswith(("[", '"')) else inner
    return None


def documented_defaults() -> list[tuple[str, str, object]]:
    """(where, key, default) for every table row whose default is a plain literal; `where` is the
    pipeline whose settings hold it (one that has it, for the keys every pipeline takes), or
    "stack" for the stack-wide, waf and alarms keys."""
    rows, where = [], "stack"
    for line in text_of(DOCS / "configuration.md").splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            where = heading if heading in config.PIPELINES else "stack"
            if heading == "Keys every pipeline takes":
                where = "userBuckets"  # function keys; stream keys follow
        elif line.startswith("Async keys"):
            where = "imageMetadata"
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and (key := re.match(r"`([\w.]+)`", cells[0])):
            default = _literal_default(cells[2])
            if default is not None:
                rows.append((where, key[1], default))
    return rows


def _resolved(where: str, key: str):
    """The default the code gives `key` (see documented_defaults)."""
    if key == "enabled":
        return False  # a pipeline is off unless enabled
    if where == "stack":
        if key == "deletionProtection":  # given to each pipeline's tables
            return args.UserBucketsSettings().deletion_protection
        value: object = config.parse({}).shared_settings()
        path = [checks.snake(part) for part in key.split(".")]
    else:
        required = {"bucketPrefix": "acme-users"} if where == "userBuckets" else {}
        value = config.parse({where: {"enabled": True, **required}}).settings(where)
        path = list(config._keys(config.PIPELINES[where][0])[key])
    for part in path:
        value = getattr(value, part)
    return list(value) if isinstance(value, tuple) else value


def test_documented_defaults_are_the_code_s():
    rows = documented_defaults()
    assert len(rows) > 30, rows  # the parse found the tables
    wrong = [
        (where, key, default, _resolved(where, key))
        for where, key, default in rows
        if _resolved(where, key) != default
    ]
    assert wrong == []
