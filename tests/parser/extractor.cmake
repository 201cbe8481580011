# parser/: charset sniffing and decoding, the article extractor.
jikji_test(charset_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/charset_test.cc LIBS jikji_parser)
jikji_test(extractor_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/extractor_test.cc
  LIBS jikji_parser nlohmann_json::nlohmann_json)
# Reads ../shared/conformance/html5lib-encoding.
jikji_test(charset_conformance_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/charset_conformance_test.cc
  LIBS jikji_parser
  LABELS shared)
jikji_test(arena_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/arena_test.cc LIBS jikji_parser)
jikji_test(text_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/text_test.cc LIBS jikji_parser)
jikji_test(textrun_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/textrun_test.cc LIBS jikji_parser PkgConfig::GUMBO)
jikji_test(chrome_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/chrome_test.cc LIBS jikji_parser)
jikji_test(prefilter_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/prefilter_test.cc LIBS jikji_parser PkgConfig::GUMBO)
