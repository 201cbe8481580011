// archive_lock_helper DIR: opens the archive in DIR as a second process and
// prints "OK" or the Status code name, e.g. "FailedPrecondition".
// Exit status 0 when it printed something, 2 on bad usage.
#include <cstdio>
#include <string>

#include "storage/archive.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  jikji::storage::ArchiveOptions options;
  options.create_if_missing = false;
  auto archive = jikji::storage::Archive::Open(argv[1], options);
  if (archive.ok()) {
    std::printf("OK\n");
  } else {
    std::printf("%s\n", std::string(jikji::Status::CodeName(archive.status().code())).c_str());
  }
  return 0;
}
