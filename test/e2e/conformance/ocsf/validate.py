# Validates OCSF events (a JSON array on stdin) against a JSON Schema file with python-jsonschema (Draft 2020-12),
# an implementation independent of pengawas. Prints one JSON line: every error with the event index and its path.
import json
import sys

from jsonschema import Draft202012Validator

schema = json.load(open(sys.argv[1], encoding="utf-8"))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
events = json.load(sys.stdin)
errors = []
for i, event in enumerate(events):
    for e in validator.iter_errors(event):
        errors.append({"event": i, "path": "/".join(str(p) for p in e.absolute_path), "message": e.message[:300]})
print(json.dumps({"events": len(events), "errors": errors}))
