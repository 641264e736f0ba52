#include "train/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace poda {

Progress::Progress(Mode mode) : mode_(mode) {
  if (mode_ == Mode::automatic) mode_ = isatty(STDERR_FILENO) ? Mode::bar : Mode::lines;
}

void Progress::begin_epoch(const std::string& phase, int epoch, int epochs, std::size_t batches) {
  phase_ = phase;
  epoch_ = epoch;
  epochs_ = epochs;
  batches_ = batches;
  epoch_start_ = last_draw_ = std::chrono::steady_clock::now();
}

void Progress::update(std::size_t batch, double running_loss, double running_acc) {
  if (mode_ != Mode::bar) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && batch + 1 < batches_) return;
  last_draw_ = now;
  const double done = batches_ ? static_cast<double>(batch + 1) / batches_ : 1.0;
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const int width = 24, filled = static_cast<int>(done * width);
  fmt::print(stderr, "\r\033[K{}{} {}/{} [{}{}] loss {:.4f} acc {:.2f}% eta {:.0f}s",
             context_.empty() ? "" : context_ + " ", phase_, epoch_, epochs_,
             std::string(filled, '#'), std::string(width - filled, '.'), running_loss,
             100.0 * running_acc, done > 0 ? elapsed * (1.0 - done) / done : 0.0);
  std::fflush(stderr);
}

void Progress::end_epoch(const EpochMetrics& m) {
  if (mode_ == Mode::quiet) return;
  if (mode_ == Mode::bar) fmt::print(stderr, "\r\033[K");
  status_shown_ = false;
  fmt::print(stderr, "{}{} {}/{}  loss {:.4f}  train {:.2f}%  val {:.2f}%  lr {:.4g}  {:.1f}s\n",
             context_.empty() ? "" : context_ + " ", m.phase, m.epoch, epochs_, m.train_loss,
             100.0 * m.train_acc, 100.0 * m.val_acc, m.lr, m.seconds);
  std::fflush(stderr);
}

void Progress::message(const std::string& text) {
  if (mode_ == Mode::quiet) return;
  clear_status();
  fmt::print(stderr, "{}{}\n", context_.empty() ? "" : context_ + " ", text);
}

void Progress::status(const std::string& text) {
  if (mode_ != Mode::bar) return;
  if (text.empty()) return clear_status();
  const auto now = std::chrono::steady_clock::now();
  if (status_shown_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  fmt::print(stderr, "\r\033[K{}{}", context_.empty() ? "" : context_ + " ", text);
  std::fflush(stderr);
  status_shown_ = true;
}

void Progress::clear_status() {
  if (!status_shown_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  status_shown_ = false;
}

}  // namespace poda
