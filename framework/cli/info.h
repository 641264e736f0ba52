#pragma once
// The text of `poda info`: what this build is and what it runs on.
#include <string>

namespace poda {

// Version, compiler, BLAS core (and how it was chosen), BLAS config and
// threads, CPU brand and features, the kernel targets (compiled, runnable, chosen). One
// "key: value" per line.
std::string poda_info_text();

}  // namespace poda
