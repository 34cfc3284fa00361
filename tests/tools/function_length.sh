#!/usr/bin/env bash
# No function over a screen (issue 20): the lines from a function's opening
# brace to its closing one, braces at the start of a line as the repository's
# .clang-format puts them (BreakBeforeBraces: Linux).
#
#   function_length.sh MAX FILE...
#
# Exit status: 0 none longer than MAX lines, 1 some (each named), 2 bad use.
set -u

MAX=${1:?usage: function_length.sh MAX FILE...}
shift
[ $# -gt 0 ] || { echo "usage: function_length.sh MAX FILE..." >&2; exit 2; }
for f in "$@"; do
    [ -r "$f" ] || { echo "FAIL: $f is not readable" >&2; exit 2; }
done

long=$(awk -v max="$MAX" '
    FNR == 1 {start = 0}
    /^\{/ {start = FNR; name = prev}
    /^\}/ {if (start && FNR - start + 1 > max) printf "  %s:%d %d lines: %s\n", FILENAME, start, FNR - start + 1, name; start = 0}
    {prev = $0}' "$@")
if [ -n "$long" ]; then
    echo "FAIL: functions longer than $MAX lines:"
    echo "$long"
    exit 1
fi
echo "ok: no function longer than $MAX lines in $# files"
