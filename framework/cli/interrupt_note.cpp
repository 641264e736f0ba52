#include "cli/interrupt_note.h"

#include <atomic>
#include <csignal>
#include <cstring>

#include <unistd.h>

namespace poda {
namespace {

// Everything the handler uses is prepared before it can run: it may only call
// async-signal-safe functions (write, getpid, signal, raise).
struct NoteText {
  char after[4096] = {};  // " of N runs finished ...; resume ...": after the count
  pid_t owner = 0;        // the process that prints it, not its forked workers
};

NoteText g_text;
std::atomic<long> g_finished{0};
struct sigaction g_previous_term {
}, g_previous_int{};

void write_all(const char* text) {
  std::size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<std::size_t>(n);
  }
}

void write_number(long value) {
  char digits[24];
  int i = sizeof digits - 1;
  digits[i] = '\0';
  do {
    digits[--i] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && i > 0);
  write_all(digits + i);
}

void on_signal(int sig) {
  if (::getpid() == g_text.owner) {
    write_all(sig == SIGINT ? "\npoda: interrupted (SIGINT): " : "\npoda: interrupted (SIGTERM): ");
    write_number(g_finished.load());
    write_all(g_text.after);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

InterruptNote::InterruptNote(const std::string& runs_csv, const std::string& resume_command,
                             std::size_t finished, std::size_t planned) {
  const std::string after = " of " + std::to_string(planned) + " run" + (planned == 1 ? "" : "s") +
                            " finished (listed in " + runs_csv +
                            "); resume the others with: " + resume_command + "\n";
  std::strncpy(g_text.after, after.c_str(), sizeof g_text.after - 1);
  g_text.owner = ::getpid();
  g_finished = static_cast<long>(finished);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, &g_previous_term);
  ::sigaction(SIGINT, &action, &g_previous_int);
}

InterruptNote::~InterruptNote() {
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  g_text.owner = 0;
}

void InterruptNote::run_finished() {
  ++g_finished;
}

}  // namespace poda
