# robots.txt parsing and matching (crawler/robots.h).
jikji_test(robots_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/robots_test.cc LIBS jikji_robots)
jikji_test(robots_conformance_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/robots_conformance_test.cc
  LIBS jikji_robots nlohmann_json::nlohmann_json LABELS shared)
