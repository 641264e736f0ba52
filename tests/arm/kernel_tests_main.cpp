// The main of the kernel tests alone (make test-arm): doctest's own, since the full suite's
// main (tests/test_main.cpp) first picks an OpenBLAS core, which the kernel library has not.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
