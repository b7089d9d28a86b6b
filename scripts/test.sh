#!/usr/bin/env bash
# The test command (npm test). Runs vitest on the project's own Node 22 inside a private D-Bus session
# with a throwaway, unlocked gnome-keyring, so tests use a real Secret Service and never touch your own
# login keyring. Prints one closing line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

if [ -z "${AKC_IN_TEST_SESSION:-}" ]; then
  export AKC_IN_TEST_SESSION=1
  if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
    XDG_DATA_HOME="$(mktemp -d)"
    export XDG_DATA_HOME
    export AKC_TEST_KEYRING=1
    # The session's dbus-daemon logs to stderr ("Failed to set fd limit", "Activating service …"), which
    # is noise in test output: it gets /dev/null, while the keyring and the tests get the real stderr (fd 3).
    exec 3>&2
    exec dbus-run-session -- bash -c 'printf %s akc-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&3 && exec bash scripts/test.sh "$@" 2>&3 3>&-' _ "$@" 2>/dev/null
  fi
  echo "Note: dbus-run-session or gnome-keyring-daemon is missing; OS-keychain tests will report themselves skipped." >&2
  echo "      On Debian/Ubuntu: sudo apt-get install gnome-keyring libsecret-tools dbus" >&2
fi

mkdir -p test-results
rm -rf test-results/vitest.json test-results/coverage
vitest run "$@"
code=$?
# Errors outside any test (an uncaught exception in the daemon under test) fail the run without failing a
# test: say so, since the closing line counts tests only.
if [ "$code" -ne 0 ]; then
  echo "vitest exited with code $code: a test failed, or an error was thrown outside any test (see \"Unhandled Errors\" above)." >&2
fi
node scripts/test-summary.ts test-results/vitest.json || code=1
exit $code
