"""Mutates real documents and requires the schema to reject each mutation, for
the reason meant (the keyword that should catch it), so a schema that accepts
anything, or catches a mutation only by accident, fails.
Usage: negative.py SCHEMA_DIR WORK_DIR NAME:FILE..."""
import copy
import json
import os
import sys

import schemalib


def first_check(doc):
    return doc["stages"][0]["checks"][0]


def drop(key):
    def f(d):
        del d[key]
    return f


def set_at(getter, key, value):
    def f(d):
        getter(d)[key] = value
    return f


def swap_stages(d):
    d["stages"][0], d["stages"][1] = d["stages"][1], d["stages"][0]


def move_check(d):
    # a tunnel check listed under ppp: each stage names its own checks
    d["stages"][2]["checks"][0]["id"] = d["stages"][0]["checks"][0]["id"]


def pending_without_restart(d):
    d["restart_pending"] = True
    d["restart"] = None


# (schema, what, needs(doc) -> bool, mutate(doc), keyword that must reject it)
MUTATIONS = [
    ("check", "a required key missing (verdict)", None, drop("verdict"), "required"),
    ("check", "a required key missing in a check (fix)", None,
     lambda d: first_check(d).pop("fix"), "required"),
    ("check", "an unknown verdict", None, set_at(lambda d: d, "verdict", "ok"), "enum"),
    ("check", "an unknown check status", None,
     set_at(first_check, "status", "passed"), "enum"),
    ("check", "an unknown fix id among the fixes", None,
     lambda d: d["fixes"].append("reboot"), "enum"),
    ("check", "an unknown stage status", None,
     set_at(lambda d: d["stages"][1], "status", "broken"), "enum"),
    ("check", "an extra key at the top", None, set_at(lambda d: d, "extra", 1), "additionalProperties"),
    ("check", "an extra key in a check", None,
     set_at(first_check, "severity", "high"), "additionalProperties"),
    ("check", "a count as a string", None, set_at(lambda d: d, "unknown", "1"), "type"),
    ("check", "another schema_version", None, set_at(lambda d: d, "schema_version", 2), "const"),
    ("check", "the stages out of order", None, swap_stages, "const"),
    ("check", "a check in another stage", None, move_check, "enum"),
    ("check", "a stage missing", None, lambda d: d["stages"].pop(), "minItems"),
    ("check", "a restart pending with no restart", None, pending_without_restart, "type"),
    ("report", "a required key missing (last_connection)", None, drop("last_connection"), "required"),
    ("report", "a required key missing inside the diagnosis", None,
     lambda d: d["diagnosis"].pop("stages"), "required"),
    ("report", "an unknown check status inside the diagnosis", None,
     set_at(lambda d: first_check(d["diagnosis"]), "status", "passed"), "enum"),
    ("report", "an extra key at the top", None, set_at(lambda d: d, "extra", 1), "additionalProperties"),
    ("report", "an extra key in a known last connection", lambda d: d["last_connection"]["known"],
     set_at(lambda d: d["last_connection"], "extra", 1), "additionalProperties"),
    ("report", "a code on an unknown last connection", lambda d: not d["last_connection"]["known"],
     set_at(lambda d: d["last_connection"], "code", 789), "additionalProperties"),
    ("report", "an unknown journal state in the changes", lambda d: d["changes"],
     set_at(lambda d: d["changes"][0], "state", "done"), "enum"),
    ("report", "a generated time that is not UTC ISO 8601", None,
     set_at(lambda d: d, "generated", "yesterday"), "pattern"),
    ("history", "an entry without its fix", lambda d: d, lambda d: d[0].pop("fix"), "required"),
    ("history", "an entry with an unknown fix", lambda d: d, set_at(lambda d: d[0], "fix", "reboot"), "enum"),
    ("history", "an entry id 0", lambda d: d, set_at(lambda d: d[0], "id", 0), "minimum"),
    ("selftest", "an item without its evidence", None,
     lambda d: d["items"][0].pop("evidence"), "required"),
    ("selftest", "an unknown verdict", None, set_at(lambda d: d["items"][1], "verdict", "ok"), "enum"),
    ("selftest", "the items out of order", None,
     lambda d: d["items"].insert(0, d["items"].pop(1)), "const"),
    ("selftest", "an item missing", None, lambda d: d["items"].pop(), "minItems"),
    ("selftest", "an extra key in an item", None,
     set_at(lambda d: d["items"][0], "psk", "x"), "additionalProperties"),
    ("selftest", "redacted as a string", None, set_at(lambda d: d, "redacted", "yes"), "type"),
    ("selftest", "another schema_version", None, set_at(lambda d: d, "schema_version", 2), "const"),
    ("profiles", "an unknown entry type", lambda d: d, set_at(lambda d: d[0], "entry_type", "wifi"), "enum"),
    ("profiles", "an extra key", lambda d: d, set_at(lambda d: d[0], "password", "x"), "additionalProperties"),
]


def main(argv):
    schemalib.need_validator()
    schemas = schemalib.load_schemas(argv[1])
    work = argv[2]
    os.makedirs(work, exist_ok=True)
    docs = [(a.partition(":")[0], a.partition(":")[2]) for a in argv[3:]]
    validators = {name: schemalib.validator(schemas, name) for name in schemas}
    failed = 0
    for i, (schema, what, needs, mutate, keyword) in enumerate(MUTATIONS):
        source = next((p for n, p in docs if n == schema and (needs is None or needs(schemalib.load_doc(p)))), None)
        if source is None:
            print("FAIL: no %s document to mutate for: %s" % (schema, what))
            failed += 1
            continue
        doc = schemalib.load_doc(source)
        if schemalib.errors(validators[schema], doc):
            print("FAIL: %s is not valid before the mutation" % source)
            failed += 1
            continue
        mutated = copy.deepcopy(doc)
        mutate(mutated)
        path = os.path.join(work, "%02d.%s.json" % (i, schema))
        with open(path, "w", encoding="utf-8") as f:
            json.dump(mutated, f, indent=1, ensure_ascii=False)
        errs = schemalib.errors(validators[schema], mutated)
        reasons = sorted({k for _, k, _ in errs})
        if not errs:
            print("FAIL: accepted: %s (%s)" % (what, path))
            failed += 1
        elif keyword not in reasons:
            print("FAIL: %s rejected for %s, not %s: %s" % (what, reasons, keyword, errs[0][2]))
            failed += 1
        else:
            where, _, message = next(e for e in errs if e[1] == keyword)
            print("rejected as meant: %s: %s at %s: %s" % (what, keyword, where, message[:120]))
    print("%d mutations, %d not rejected as meant" % (len(MUTATIONS), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
