from tests.installed_package import installed_package  # noqa: F401 - the session fixture
