"""The server's batching defaults: a lone request is held only briefly for company (under load the
queue fills while the previous batch decodes, so a long wait only delays a client at a time), and
the command line and the library agree."""

import inspect

from dolmetsch.cli.serve import serve_command
from dolmetsch.serve.app import Settings


def test_a_batch_waits_two_milliseconds_for_company_by_default():
    assert Settings().max_wait == 0.002


def test_the_command_line_default_is_the_settings_default():
    option = inspect.signature(serve_command).parameters["max_wait_ms"].default
    assert option.default / 1000 == Settings().max_wait
