#!/usr/bin/env bash
# Checks deploy/prometheus/*.yml: with promtool (Debian package
# `prometheus`), the rules and config are checked and the rule unit tests
# in tests/ops/jikji-alerts.test.yml run; without it, python3-yaml checks
# that the files are valid YAML of the right shape.
# Usage: check-alert-rules.sh SOURCE_DIR
# Exit 0: ok; 1: failed; 77: skipped (neither tool present).
set -euo pipefail
src=${1:?usage: check-alert-rules.sh SOURCE_DIR}
rules="$src/deploy/prometheus/jikji-alerts.yml"
config="$src/deploy/prometheus/prometheus.yml"
tests="$src/tests/ops/jikji-alerts.test.yml"

if command -v promtool >/dev/null 2>&1; then
  promtool check rules "$rules"
  promtool check config "$config"
  promtool test rules "$tests"
  echo "OK: promtool checked the rules, the config and ran the rule tests"
  exit 0
fi
if python3 -c 'import yaml' >/dev/null 2>&1; then
  python3 - "$rules" "$config" <<'PY'
import sys, yaml
rules_path, config_path = sys.argv[1], sys.argv[2]
with open(rules_path) as f:
    doc = yaml.safe_load(f)
groups = doc.get("groups")
assert isinstance(groups, list) and groups, "no groups"
names = set()
for g in groups:
    assert isinstance(g.get("name"), str), "group without a name"
    for r in g.get("rules", []):
        assert isinstance(r.get("alert"), str) and r["alert"], f"rule without alert: {r}"
        assert r["alert"] not in names, f"duplicate alert {r['alert']}"
        names.add(r["alert"])
        assert isinstance(r.get("expr"), str) and r["expr"].strip(), f"{r['alert']}: no expr"
        assert r["expr"].count("(") == r["expr"].count(")"), f"{r['alert']}: unbalanced parentheses"
        assert r.get("labels", {}).get("severity") in ("warning", "critical"), f"{r['alert']}: severity"
        assert "summary" in r.get("annotations", {}), f"{r['alert']}: no summary"
with open(config_path) as f:
    cfg = yaml.safe_load(f)
jobs = [s.get("job_name") for s in cfg.get("scrape_configs", [])]
assert "jikji" in jobs, "no jikji scrape job"
print(f"OK: {len(names)} alert rules are valid YAML (install the prometheus package for promtool checks)")
PY
  exit 0
fi
echo "SKIP: neither promtool nor python3-yaml is installed"
exit 77
