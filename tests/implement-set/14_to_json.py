import json


def to_json(data):
    """Return data serialised as a JSON string with sorted keys."""
    return json.dumps(data, sort_keys=True)


# asserts
assert to_json({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
assert to_json([1, 2]) == "[1, 2]"
