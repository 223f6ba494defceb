"""What the offline runner (tools/program.py) takes from the Pulumi SDK beyond its public API,
each checked here: an SDK upgrade that moves one fails these tests, instead of silently slowing
the preview down or breaking its resource references."""

import pulumi
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc

from tools import program


def test_the_wire_signatures_are_the_engines():
    # pulumi/pulumi sdk/go/common/resource/properties.go: the special signature keys.
    assert rpc._special_sig_key == "4dabf18193072939515e22adb298388d"
    assert rpc._special_resource_sig == "5cf8f73096256a8f31e491e813e4eb8e"
    assert rpc._special_asset_sig == "c44067f5952c0a294b673a41bacd8c17"
    assert rpc._special_archive_sig == "0def7320c3a5731c473e5ecbe6d01bc7"
    assert rpc.UNKNOWN == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def test_the_stack_trace_hook_the_runner_switches_off_exists():
    assert callable(sdk_resource._get_stack_trace)
    with program._fast_registrations():
        assert sdk_resource._get_stack_trace is program._no_stack_trace
    assert sdk_resource._get_stack_trace is not program._no_stack_trace


def test_plain_states_serialize_as_the_sdk_serializes_them():
    from pulumi.runtime.sync_await import _sync_await

    state = {
        "name": "reports",
        "count": 3,
        "ratio": 0.5,
        "enabled": True,
        "tags": {"team": "data", "skipped": None},
        "list": ["a", 1, {"b": False}],
        "code": pulumi.AssetArchive(
            {
                "index.py": pulumi.StringAsset("def handler(e, c): pass\n"),
                "lib": pulumi.FileArchive("./lib"),
                "data.bin": pulumi.FileAsset("./data.bin"),
                "remote": pulumi.RemoteAsset("https://example.com/x"),
            }
        ),
        "secret": rpc.wrap_rpc_secret("hunter2"),
        "unknown": rpc.UNKNOWN,
        "absent": None,
    }
    assert program.plain_struct(state) == _sync_await(rpc.serialize_properties(state, {}))


def test_a_state_holding_an_output_is_left_to_the_sdk():
    assert program.plain_struct({"value": pulumi.Output.from_input("x")}) is None


def test_pending_registrations_are_read_from_the_sdks_task_frames():
    # tools.program.pending_work reads `ty` and `name` off the frames of these coroutines.
    code = sdk_resource.register_resource.__code__
    assert "do_register" in code.co_varnames + code.co_cellvars + tuple(
        c.co_name for c in code.co_consts if hasattr(c, "co_name")
    )
    assert {"ty", "name"} <= set(code.co_cellvars)
