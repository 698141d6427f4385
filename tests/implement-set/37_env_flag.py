import os


def env_flag(name):
    """Return True when the environment variable name is set to '1'."""
    return os.environ.get(name) == "1"


# asserts
os.environ["CA_FLAG_ON"] = "1"
os.environ["CA_FLAG_OFF"] = "0"
assert env_flag("CA_FLAG_ON") is True
assert env_flag("CA_FLAG_OFF") is False
assert env_flag("CA_FLAG_MISSING") is False
