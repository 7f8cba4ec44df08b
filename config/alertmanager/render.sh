#!/bin/sh
# Renders the Alertmanager config template: every ${NAME} is replaced by the environment variable NAME, so
# receivers (webhook, e-mail, PagerDuty, Slack) are configured by env and no secret is committed.
# Alertmanager 0.25 does not expand environment variables itself. Fails when a referenced variable is unset.
# Usage: render.sh TEMPLATE OUT
set -eu
awk '
{
  out = ""; line = $0
  while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
    name = substr(line, RSTART + 2, RLENGTH - 3)
    if (!(name in ENVIRON)) { printf "render.sh: %s is not set\n", name > "/dev/stderr"; failed = 1; exit 1 }
    out = out substr(line, 1, RSTART - 1) ENVIRON[name]
    line = substr(line, RSTART + RLENGTH)
  }
  print out line
}
END { if (failed) exit 1 }' "$1" > "$2"
