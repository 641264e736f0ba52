#pragma once
// A test that cannot run here (no gnuplot, no mpirun, a CPU or dataset it needs is missing)
// is reported as skipped, not passed. Under ctest (which sets PODA_TEST_SKIP_CODE, see
// CMakeLists.txt) the process prints the reason and exits with that code, which ctest's
// SKIP_RETURN_CODE shows as "Skipped"; each TEST_CASE runs in its own process there. Run
// by hand (./poda_tests), the reason is printed and the test case returns, so the other
// test cases still run.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <doctest/doctest.h>

namespace poda_test {

inline void exit_if_skips_are_counted(const std::string& reason) {
  const char* code = std::getenv("PODA_TEST_SKIP_CODE");
  if (!code || !*code) return;
  std::fprintf(stderr, "SKIPPED: %s\n", reason.c_str());
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(std::atoi(code));
}

}  // namespace poda_test

// Skips the rest of the current TEST_CASE; use it before the test's first check.
#define PODA_SKIP_TEST(reason)                               \
  do {                                                       \
    const std::string poda_skip_reason_ = (reason);          \
    poda_test::exit_if_skips_are_counted(poda_skip_reason_); \
    MESSAGE("skipped: " << poda_skip_reason_);               \
    return;                                                  \
  } while (0)
