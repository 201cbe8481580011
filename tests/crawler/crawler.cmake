# The crawl loop (crawler/crawler.h) against a hostile loopback web: a real
# Crawler, a real Archive in a temp dir, TestHttpServer on 127.0.0.1.
jikji_test(crawler_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/crawler_test.cc
  LIBS jikji_crawler jikji_parser jikji_storage jikji_url jikji_config Boost::headers)
