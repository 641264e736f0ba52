#include "experiment/io/rank_output.h"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace poda {
namespace {

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;  // the terminal or mpirun went away: nothing left to tell
    done += static_cast<std::size_t>(n);
  }
}

// Copies `from` to `to` until end of file, each line after `prefix`; a last line without
// its newline is written as it is.
void copy_lines(int from, int to, const std::string& prefix) {
  std::string line;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(from, buffer, sizeof buffer);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      line += buffer[i];
      if (buffer[i] != '\n') continue;
      write_all(to, prefix + line);
      line.clear();
    }
  }
  if (!line.empty()) write_all(to, prefix + line);
  ::close(from);
}

}  // namespace

RankOutput::RankOutput(std::string prefix) : prefix_(std::move(prefix)) {
  out_.fd = STDOUT_FILENO;
  err_.fd = STDERR_FILENO;
  redirect(out_);
  redirect(err_);
}

RankOutput::~RankOutput() {
  restore(out_);
  restore(err_);
}

void RankOutput::redirect(Stream& s) {
  int ends[2];
  std::fflush(s.fd == STDOUT_FILENO ? stdout : stderr);
  if (::pipe(ends) != 0) throw std::runtime_error("cannot create a pipe for the rank prefix");
  s.original = ::dup(s.fd);
  ::dup2(ends[1], s.fd);
  ::close(ends[1]);
  s.reader = std::thread(copy_lines, ends[0], s.original, prefix_);
}

// Flushes, points the descriptor back at its original (the pipe's last writer closes, so the
// reader sees end of file) and waits for the reader to write what is left.
void RankOutput::restore(Stream& s) {
  std::fflush(s.fd == STDOUT_FILENO ? stdout : stderr);
  ::dup2(s.original, s.fd);
  if (s.reader.joinable()) s.reader.join();
  ::close(s.original);
}

}  // namespace poda
