"""The schemas' id lists against the C tables they come from (the X-macro
tables of core/), and the tables as read here against what the program itself
prints, so neither a new table row nor a misread table goes unseen.
Usage: drift.py SCHEMA_DIR SOURCE_DIR CHECK_JSON"""
import json
import os
import re
import sys

ROW = re.compile(r'X\(\s*(\w+),\s*(?:-?\d+,\s*)?"([^"]*)"(?:,\s*(STAGE_\w+))?')


def table(source, header, name):
    """The rows of X-macro table NAME in HEADER: [(enum, id, stage or None)]."""
    with open(os.path.join(source, header), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"#define %s\(X\)((?:.*\\\n)*.*)" % name, text)
    if not m:
        raise SystemExit("drift: no table %s in %s" % (name, header))
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return ROW.findall(body)


def ids(rows):
    return [r[1] for r in rows]


def returned_strings(source, file, function):
    """The string literals a small function returns, in order (a switch or a ?:)."""
    with open(os.path.join(source, file), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"\b%s\([^)]*\)\s*\{(.*?)\n\}" % function, text, flags=re.S)
    if not m:
        raise SystemExit("drift: no function %s in %s" % (function, file))
    return [s for s in re.findall(r'"([^"]*)"', m.group(1)) if s != "?"]


def main(argv):
    schema_dir, source, check_json = argv[1:4]
    load = lambda n: json.load(open(os.path.join(schema_dir, n + ".schema.json"), encoding="utf-8"))
    check, history, profiles, selftest = load("check"), load("history"), load("profiles"), load("selftest")
    with open(check_json, encoding="utf-8") as f:
        printed = json.load(f)
    stages = table(source, "core/model.h", "STAGE_TABLE")
    checks = table(source, "core/model.h", "CHECK_TABLE")
    stage_enum = {r[0]: r[1] for r in stages}
    by_stage = [[c[1] for c in checks if stage_enum[c[2]] == s] for s in ids(stages)]
    defs = check["$defs"]
    pairs = [
        ("stage ids (STAGE_TABLE)", defs["stage_id"]["enum"], ids(stages)),
        ("check ids (CHECK_TABLE)", defs["check_id"]["enum"], ids(checks)),
        ("fix ids (FIX_TABLE)", defs["fix_id"]["enum"], ids(table(source, "core/model.h", "FIX_TABLE"))),
        ("statuses (CHECK_STATUS_TABLE)", defs["status"]["enum"],
         ids(table(source, "core/model.h", "CHECK_STATUS_TABLE"))),
        ("not_seen parts (VERDICT_PART_TABLE)",
         check["properties"]["not_seen"]["items"]["properties"]["part"]["enum"],
         ids(table(source, "core/verdict.h", "VERDICT_PART_TABLE"))),
        ("verdicts (verdict_id)", check["properties"]["verdict"]["enum"],
         returned_strings(source, "core/verdict.c", "verdict_id")),
        ("journal states (ENTRY_STATE_TABLE)", history["$defs"]["entry"]["properties"]["state"]["enum"],
         ids(table(source, "core/journal.h", "ENTRY_STATE_TABLE"))),
        ("entry types (ENTRY_TYPE_TABLE)", profiles["items"]["properties"]["entry_type"]["enum"],
         ids(table(source, "core/profile.h", "ENTRY_TYPE_TABLE"))),
        ("phonebooks (phonebook_kind_name)", sorted(profiles["items"]["properties"]["phonebook"]["enum"]),
         sorted(returned_strings(source, "core/profile.c", "phonebook_kind_name"))),
    ]
    selftest_ids = ids(table(source, "core/selftest.h", "SELFTEST_TABLE"))
    pairs += [
        ("selftest ids (SELFTEST_TABLE)", selftest["$defs"]["selftest_id"]["enum"], selftest_ids),
        ("selftest item order (items.prefixItems)",
         [p["properties"]["id"]["const"] for p in selftest["properties"]["items"]["prefixItems"]], selftest_ids),
        ("selftest verdicts (SELFTEST_VERDICT_TABLE)", selftest["$defs"]["verdict"]["enum"],
         ids(table(source, "core/selftest.h", "SELFTEST_VERDICT_TABLE"))),
    ]
    prefix = check["properties"]["stages"]["prefixItems"]
    pairs.append(("stage order (stages.prefixItems)", [p["properties"]["id"]["const"] for p in prefix], ids(stages)))
    for i, s in enumerate(ids(stages)):
        c = prefix[i]["properties"]["checks"] if i < len(prefix) else {}
        pairs.append(("%s's checks (prefixItems[%d])" % (s, i), c.get("items", {}).get("properties", {}).get("id", {}).get("enum"), by_stage[i]))
        pairs.append(("%s's check count" % s, [c.get("minItems"), c.get("maxItems")], [len(by_stage[i])] * 2))
    # the tables as read here are the program's: check --json names every check of every stage
    pairs.append(("stages printed by check --json", [s["id"] for s in printed["stages"]], ids(stages)))
    for i, s in enumerate(printed["stages"]):
        pairs.append(("%s's checks printed by check --json" % s["id"], [c["id"] for c in s["checks"]], by_stage[i]))
    drift = 0
    for what, schema_side, c_side in pairs:
        if schema_side == c_side:
            print("same: %s (%d)" % (what, len(c_side) if isinstance(c_side, list) else 0))
        else:
            print("DRIFT: %s: schema %s, source %s" % (what, schema_side, c_side))
            drift += 1
    print("%d lists compared, %d drifted" % (len(pairs), drift))
    return 1 if drift else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
