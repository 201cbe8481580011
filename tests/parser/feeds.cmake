# Feed and sitemap parsing (parser/feeds.h).
jikji_test(feeds_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/feeds_test.cc LIBS jikji_feeds ZLIB::ZLIB)
jikji_test(feeds_conformance_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/feeds_conformance_test.cc
  LIBS jikji_feeds jikji_url nlohmann_json::nlohmann_json LABELS shared)
