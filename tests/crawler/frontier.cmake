jikji_test(frontier_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/frontier_test.cc LIBS jikji_crawler)
