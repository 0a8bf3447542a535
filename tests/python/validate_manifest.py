"""Validates a unified (JSON) add-in manifest against Microsoft's JSON schema, formats included.

    python3 validate_manifest.py SCHEMA.json MANIFEST.json

Prints each error with its path and exits 1 when there is one."""
import json
import sys

import jsonschema

schema_path, manifest_path = sys.argv[1], sys.argv[2]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
with open(manifest_path, encoding="utf-8") as f:
    manifest = json.load(f)
validator_class = jsonschema.validators.validator_for(schema)
validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
for error in errors:
    print("/".join(str(p) for p in error.path) or "(root)", ":", error.message)
sys.exit(1 if errors else 0)
