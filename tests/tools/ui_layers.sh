#!/usr/bin/env bash
# The files of ui/ form floors, not a circle: each object file's undefined
# symbols are resolved to the ui object that defines them, which gives the
# call graph between files; its transitive closure names the files of any
# cycle (tsort checks the same).
#
#   ui_layers.sh OBJECT...        # objects of the l2tpfix target; those under ui/ are read
#   ui_layers.sh --map OBJECT...  # print the graph (file: the files it calls), then check
#
# Exit status: 0 no cycle, 1 a cycle (its files are named), 2 bad use.
set -u

MAP=0
if [ "${1:-}" = --map ]; then
    MAP=1
    shift
fi
[ $# -gt 0 ] || { echo "usage: ui_layers.sh [--map] OBJECT..." >&2; exit 2; }
command -v nm >/dev/null 2>&1 || { echo "FAIL: nm is not installed" >&2; exit 2; }
command -v tsort >/dev/null 2>&1 || { echo "FAIL: tsort is not installed" >&2; exit 2; }

objs=()
for o in "$@"; do
    case $o in
    */ui/*) objs+=("$o") ;;
    esac
done
[ ${#objs[@]} -gt 1 ] || { echo "FAIL: fewer than two ui objects among the arguments" >&2; exit 2; }

# "FILE SYMBOL TYPE" for every symbol of every ui object: U is a call out, T D B R
# C V W a definition; FILE is the source's name (ui/app.c.o -> app.c)
symbols=$(nm -A -P "${objs[@]}" | awk '{
    f = $1; sub(/:$/, "", f); sub(/.*\//, "", f); sub(/\.(o|obj)$/, "", f)
    if (f !~ /\.c$/) f = f ".c"
    print f, $2, $3}')
# "FROM TO" a line; every file is a node, even one that calls no other ("F F")
edges=$(echo "$symbols" | awk '
    $3 ~ /^[TDBRCVW]$/ {def[$2] = $1}
    {file[$1] = 1}
    $3 == "U" {und[++n] = $1 " " $2}
    END {
        for (f in file) print f, f
        for (i = 1; i <= n; i++) {
            split(und[i], p, " ")
            if ((p[2] in def) && def[p[2]] != p[1]) print p[1], def[p[2]]
        }
    }' | sort -u)

if [ $MAP = 1 ]; then
    echo "$edges" | awk '$1 != $2 {calls[$1] = calls[$1] " " $2} {seen[$1] = 1}
        END {for (f in seen) printf "%-14s ->%s\n", f ":", calls[f] ? calls[f] : " (none)"}' | sort
fi

# the files that reach themselves, grouped by the circle they share
circles=$(echo "$edges" | awk '
    {n[$1] = 1; n[$2] = 1; if ($1 != $2) r[$1, $2] = 1}
    END {
        for (k in n) for (i in n) if (r[i, k]) for (j in n) if (r[k, j]) r[i, j] = 1
        for (i in n) {
            if (!r[i, i] || done[i]) continue
            line = ""
            for (j in n) if (r[i, j] && r[j, i]) {done[j] = 1; line = line " " j}
            print line
        }
    }')
if [ -n "$circles" ]; then
    echo "FAIL: the ui files call each other in a circle:"
    echo "$circles" | while read -r c; do echo "  $(echo $c | tr ' ' '\n' | sort | tr '\n' ' ')"; done
    exit 1
fi
echo "$edges" | tsort >/dev/null || { echo "FAIL: tsort found a loop the closure missed"; exit 1; }
echo "ok: the ui files form floors (${#objs[@]} files, no cycle)"
