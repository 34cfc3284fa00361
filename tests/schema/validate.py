"""Validates documents against the project's schemas.
Usage: validate.py SCHEMA_DIR NAME:FILE...   (NAME: check, report, history, profiles, selftest)
Exit 0 when every document is valid, 1 when one is not (each error printed), 3 without a validator."""
import sys

import schemalib


def main(argv):
    schemalib.need_validator()
    schemas = schemalib.load_schemas(argv[1])
    validators = {name: schemalib.validator(schemas, name) for name in schemas}
    bad = 0
    for arg in argv[2:]:
        name, _, path = arg.partition(":")
        for where, keyword, message in schemalib.errors(validators[name], schemalib.load_doc(path)):
            print("%s (%s schema) %s: %s: %s" % (path, name, where, keyword, message[:300]))
            bad += 1
    print("%d documents, %d errors (jsonschema %s)" % (len(argv) - 2, bad, schemalib.validator_version()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
