jikji_test(link_cache_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/link_cache_test.cc LIBS PkgConfig::XXHASH Threads::Threads)
jikji_test(block_cache_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/block_cache_test.cc LIBS Threads::Threads)
