# Runs each command (a JSON list of argument lists on stdin) through the real Azure CLI, in one
# process: its parser and validators judge the arguments, and a command they accept stops just
# before its handler would run (nothing is called, nothing reaches the network), or at a
# validator that needs the signed-in account to fill a default (the location of a resource
# group: "Please run 'az login'"); one they refuse
# (an unknown flag, a missing argument, a value outside its choices) stops before that. Prints a
# JSON list of {args, rc, output, accepted}. Run with the interpreter /usr/bin/az runs with.
import json
import os
import sys
import tempfile

from azure.cli.core import get_default_cli
from azure.cli.core.commands import AzCliCommand

ACCEPTED = 'JUDGE: the command was accepted; its handler was not run.'
SIGNED_OUT = "Please run 'az login'"


class Accepted(Exception):
    pass


def stop_before_handler(self, *args, **kwargs):
    raise Accepted(ACCEPTED)


AzCliCommand.__call__ = stop_before_handler

commands = json.loads(sys.stdin.read())
results = []
real_stdout = os.dup(1)
for args in commands:
    with tempfile.TemporaryFile() as capture:
        sys.stdout.flush()
        sys.stderr.flush()
        saved_stderr = os.dup(2)
        os.dup2(capture.fileno(), 1)
        os.dup2(capture.fileno(), 2)
        try:
            rc = get_default_cli().invoke(args)
        except SystemExit as exit:
            rc = exit.code
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(real_stdout, 1)
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        capture.seek(0)
        output = capture.read().decode('utf8', 'replace')
    results.append({'args': args, 'rc': rc, 'output': output, 'accepted': ACCEPTED in output or SIGNED_OUT in output})
os.write(real_stdout, json.dumps(results).encode('utf8'))
