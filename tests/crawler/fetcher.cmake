# The libcurl-multi fetcher and the loopback test server it is tested against.
jikji_test(fetcher_test SOURCES fetcher_test.cc LIBS jikji_fetcher CURL::libcurl)
jikji_test(http_server_test
  SOURCES ${PROJECT_SOURCE_DIR}/tests/testing/http_server_test.cc LIBS ZLIB::ZLIB)
# HTTPS with HTTP/2 against nginx (needs nginx and openssl; skips without).
jikji_test(fetcher_tls_test SOURCES fetcher_tls_test.cc LIBS jikji_fetcher LABELS e2e)
# Content-Encoding decoding (gzip, deflate, br, zstd; caps, cut and corrupt
# streams), against the reference encoders.
pkg_check_modules(BROTLIENC REQUIRED IMPORTED_TARGET libbrotlienc)
jikji_test(content_decoding_test SOURCES content_decoding_test.cc
  LIBS jikji_fetcher PkgConfig::BROTLIENC PkgConfig::ZSTD)
