#!/bin/sh
# korean-fixtures-score.sh [BUILD_DIR]
# Prints how the extractor scores on the Korean outlet fixtures
# (tests/fixtures/pages/*.gold.json): a per-page table (is_article, title,
# author, date exact; body shingle F1), the mean body F1 and the exact shares.
# The figures come from the summary test of tests/parser/korean_fixtures_test.cc
# (metric documented there); this script only runs it and keeps its table.
# Exit status: 0 when the issue-3 targets are met, 1 when not, 2 when the test
# binary is missing.
set -u
build=${1:-build}
bin="$build/tests/parser/korean_fixtures_test"
if [ ! -x "$bin" ]; then
  echo "missing $bin; build it with: ninja -C $build korean_fixtures_test" >&2
  exit 2
fi
echo "\$ $bin --gtest_filter=KoreanFixturesSummary.*"
out=$("$bin" --gtest_filter='KoreanFixturesSummary.*' 2>&1)
status=$?
printf '%s\n' "$out" | sed -n '/^page /,/^exact:/p'
if [ "$status" -eq 0 ]; then echo "targets: met"; else echo "targets: NOT met"; exit 1; fi
