# Korean outlet fixtures (tests/fixtures/pages/*.gold.json) scored against the
# extractor: per-page gold checks and the issue-3 targets (mean body F1, exact
# title/author/date shares).
jikji_test(korean_fixtures_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/korean_fixtures_test.cc
  LIBS jikji_parser nlohmann_json::nlohmann_json)
