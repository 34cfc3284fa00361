"""The project's JSON Schemas, loaded once, and a validator that resolves the
references between them (report -> check, history) by their $id, offline."""
import json
import os
import sys

try:
    import jsonschema
    from importlib.metadata import version
except ImportError:  # told apart by the caller: a missing validator is not a failure elsewhere than in CI
    jsonschema = None

# Debian 12's python3-jsonschema; draft 2020-12 (prefixItems, $ref beside other keywords) needs 4.x
MIN_VERSION = (4, 10)


def validator_version():
    return version("jsonschema")


def version_ok():
    parts = tuple(int(p) for p in validator_version().split(".")[:2])
    return parts >= MIN_VERSION


def load_schemas(schema_dir):
    """{file name without .schema.json: schema}, each checked against the 2020-12 meta-schema."""
    schemas = {}
    for name in sorted(os.listdir(schema_dir)):
        if name.endswith(".schema.json"):
            with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            schemas[name[: -len(".schema.json")]] = schema
    return schemas


def validator(schemas, name):
    store = {s["$id"]: s for s in schemas.values()}
    import warnings
    with warnings.catch_warnings():  # RefResolver: the API Debian 12's 4.10 has (newer ones warn)
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver.from_schema(schemas[name], store=store)
    return jsonschema.Draft202012Validator(schemas[name], resolver=resolver)


def errors(v, doc):
    """Each error as (path, keyword, message), the nested ones of oneOf/anyOf too."""
    out = []

    def walk(err):
        path = "/".join(str(p) for p in err.absolute_path)
        out.append(("/" + path, err.validator, err.message))
        for sub in err.context or ():
            walk(sub)

    for err in v.iter_errors(doc):
        walk(err)
    return out


def load_doc(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def need_validator():
    if jsonschema is None:
        print("no python jsonschema module in " + sys.executable, file=sys.stderr)
        sys.exit(3)
    if not version_ok():
        print("jsonschema %s is older than %d.%d" % ((validator_version(),) + MIN_VERSION), file=sys.stderr)
        sys.exit(3)
