# Boilerplate blocks left out of the parse (ExtractOptions::known_block).
jikji_test(boiler_blocks_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/boiler_blocks_test.cc
  LIBS jikji_parser PkgConfig::GUMBO)
# The same check over the article-extraction benchmark's pages (../shared).
jikji_test(boiler_blocks_shared_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/boiler_blocks_shared_test.cc
  LIBS jikji_parser
  LABELS shared)
