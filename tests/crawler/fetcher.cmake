# The libcurl-multi fetcher and the loopback test server it is tested against.
jikji_test(fetcher_test SOURCES fetcher_test.cc LIBS jikji_fetcher CURL::libcurl)
jikji_test(http_server_test
  SOURCES ${PROJECT_SOURCE_DIR}/tests/testing/http_server_test.cc LIBS ZLIB::ZLIB)
