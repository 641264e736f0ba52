#pragma once
// Bounds on what an experiment file may ask for, checked before anything is allocated, so
// a typo or a hostile file gets a clear error instead of exhausting memory:
// the file's size, the number of runs its sweep expands to, the parameters of its model.
#include <cstddef>
#include <optional>

namespace poda {

// An experiment file is a few kilobytes; a megabyte is already far beyond any real one.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;

// Runs a sweep may expand to unless `--max-runs` says otherwise. Each run is a folder and a
// training; 100,000 is days of work for the smallest model.
inline constexpr std::size_t kDefaultMaxRuns = 100'000;

// Parameters a model may have: 250 million float32 weights are 1 GB, and training also
// holds their gradients, optimizer state and masks.
inline constexpr std::size_t kMaxModelParameters = 250'000'000;

// a * b when it is at most `limit`; nullopt when it is larger (or overflows std::size_t).
std::optional<std::size_t> product_within(std::size_t a, std::size_t b, std::size_t limit);

}  // namespace poda
