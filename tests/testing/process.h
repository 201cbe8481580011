// Running the jikji binary (or a helper script) from a test.
#ifndef JIKJI_TESTS_TESTING_PROCESS_H_
#define JIKJI_TESTS_TESTING_PROCESS_H_

#include <string>
#include <vector>

namespace jikji::testing {

struct CommandResult {
  int exit_code = -1;   // -1 when the command could not run or was killed
  std::string out;      // standard output
  std::string err;      // standard error
};

// Runs argv[0] with arguments (no shell), waits, and captures both streams.
// Aborts the child after `timeout_seconds` (then exit_code is -1).
CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_seconds = 300);

// Starts argv[0] in the background with stdout and stderr sent to
// `log_path` (appended). Returns the child's pid, or -1.
int SpawnCommand(const std::vector<std::string>& argv, const std::string& log_path);

// Waits for a spawned child; returns its exit code, or -1 when it was
// killed by a signal or is still running after `timeout_seconds` (then it
// is killed).
int WaitCommand(int pid, int timeout_seconds);

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for
// a socket bound to port 0, then closed), for a child server to listen on;
// -1 if none could be had. Ports derived from the pid instead fall in the
// range the kernel hands to outgoing connections, which tests running
// alongside hold by the thousand.
int FreeLoopbackPort();

// Shell-quotes one argument for messages.
std::string ShellQuote(const std::string& arg);

}  // namespace jikji::testing

#endif  // JIKJI_TESTS_TESTING_PROCESS_H_
