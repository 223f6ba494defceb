"""Where the policy pack is: `cp -r "$(event-pipelines-policy-pack)" policy-pack`, then
`pulumi preview --policy-pack policy-pack` (the CLI makes the pack's virtualenv inside the pack's
directory: give it a copy, not site-packages).

Installed (`pip install event-pipelines`), the pack is the directory event_pipelines/policy in
site-packages; this prints it (console script `event-pipelines-policy-pack`, or
`python -m event_pipelines.policy.pack_directory`). In this repository it is simply `policy`.
Standard library only, and it imports nothing of the pack: the pack's own dependencies
(pulumi-policy, policy_sentry) live in the environment the CLI makes for it.
"""

from pathlib import Path


def pack_directory() -> Path:
    """The directory holding PulumiPolicy.yaml and the pack's __main__.py."""
    return Path(__file__).resolve().parent


def main() -> None:
    print(pack_directory())


if __name__ == "__main__":
    main()
