import pytest

from tools import policy_pack
from tools.program import REPO_ROOT


@pytest.fixture(scope="session")
def pack():
    """The project's pack, loaded from policy/__main__.py as the CLI would load it."""
    return policy_pack.load(REPO_ROOT / "policy")
