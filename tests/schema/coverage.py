"""Says which cases the validated documents reach, and fails when one the test
means to cover is missing (a scenario renamed, a fix no longer pending a restart).
Usage: coverage.py NAME:FILE..."""
import json
import sys


def main(args):
    seen = set()
    for arg in args:
        name, _, path = arg.partition(":")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        seen.add("schema " + name)
        checks = [doc] if name == "check" else [doc["diagnosis"]] if name == "report" else []
        for c in checks:
            seen.add("verdict " + c["verdict"])
            seen.add("restart pending" if c["restart_pending"] else "no restart pending")
            seen.add("probe cached" if c["probe_age_s"] is not None else "probe fresh")
            if c["not_seen"]:
                seen.add("not_seen entries")
            for stage in c["stages"]:
                for check in stage["checks"]:
                    seen.add("check status " + check["status"])
                    if check["fix_alternative"]:
                        seen.add("an alternative fix")
                    if check["not_applicable"]:
                        seen.add("a check not applicable")
        if name == "report":
            last = doc["last_connection"]
            seen.add("last connection known" if last["known"] else "last connection not known")
            entries = doc["changes"]
        else:
            entries = doc if name == "history" else []
        for e in entries:
            seen.add("journal " + e["state"])
        if name == "selftest":
            seen.add("selftest redacted" if doc["redacted"] else "selftest not redacted")
            for item in doc["items"]:
                seen.add("selftest verdict " + item["verdict"])
                if item["notes"]:
                    seen.add("selftest notes")
        if name == "profiles":
            for p in doc:
                seen.add("entry " + p["entry_type"])
                seen.add("phonebook " + p["phonebook"])
    # selftest's other verdicts (confirmed, refuted, wine, error) come from Windows: win.selftest
    want = ["schema check", "schema report", "schema history", "schema profiles",
            "verdict pass", "verdict problems", "verdict incomplete",
            "restart pending", "no restart pending", "not_seen entries",
            "check status pass", "check status fail", "check status warn", "check status unknown",
            "an alternative fix", "a check not applicable",
            "last connection known", "last connection not known",
            "journal applied", "journal undone",
            "entry vpn", "entry pppoe", "entry dial-up", "phonebook user", "phonebook allusers",
            "schema selftest", "selftest redacted", "selftest not redacted", "selftest notes",
            "selftest verdict simulated", "selftest verdict not-shown"]
    missing = [w for w in want if w not in seen]
    print("covered: " + ", ".join(sorted(seen)))
    for w in missing:
        print("MISSING: " + w)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
