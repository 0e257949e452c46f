// Keras's Progbar (keras/utils/generic_utils.py, 2.2.4), to the character.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace ketl {

namespace detail {
inline std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}
inline double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
// Keras redraws in place on a terminal and writes lines otherwise.
inline bool is_terminal(const std::ostream& os) {
  if (&os == &std::cerr || &os == &std::clog) return ::isatty(2) != 0;
  if (&os == &std::cout) return ::isatty(1) != 0;
  return false;
}
}  // namespace detail

class Progbar {
 public:
  struct Options {
    int width = 30;
    int verbose = 1;
    double interval = 0.05;
    std::ostream* out = &std::cerr;
    // Whether to redraw with '\b' and '\r'; by default, when out is a terminal.
    int dynamic_display = -1;
    std::function<double()> clock = detail::now_seconds;
  };

  // target <= 0 means unknown, as Keras's target=None.
  explicit Progbar(long target) : Progbar(target, Options{}) {}
  Progbar(long target, Options opt) : target_(target), opt_(std::move(opt)), start_(opt_.clock()) {
    dynamic_ =
        opt_.dynamic_display < 0 ? detail::is_terminal(*opt_.out) : opt_.dynamic_display != 0;
  }

  using Values = std::vector<std::pair<std::string, double>>;

  void update(long current, const Values& values = {}) {
    for (const auto& [k, v] : values) {
      auto it = find(k);
      const double w = static_cast<double>(current - seen_so_far_);
      if (it == sums_.end()) {
        sums_.push_back({k, v * w, w});
      } else {
        it->sum += v * w;
        it->count += w;
      }
    }
    seen_so_far_ = current;
    const double now = opt_.clock();
    std::string info = detail::format(" - %.0fs", now - start_);
    std::ostream& os = *opt_.out;
    if (opt_.verbose == 1) {
      if (now - last_update_ < opt_.interval && target_ > 0 && current < target_) return;
      const std::size_t prev_total_width = total_width_;
      if (dynamic_) {
        os << std::string(prev_total_width, '\b') << '\r';
      } else {
        os << '\n';
      }
      std::string bar;
      if (target_ > 0) {
        const int numdigits =
            static_cast<int>(std::floor(std::log10(static_cast<double>(target_)))) + 1;
        char buf[64];
        std::snprintf(buf, sizeof buf, "%*ld/%ld [", numdigits, current, target_);
        bar = buf;
        const double prog = static_cast<double>(current) / static_cast<double>(target_);
        const int prog_width = static_cast<int>(opt_.width * prog);
        if (prog_width > 0) {
          bar += std::string(static_cast<std::size_t>(prog_width - 1), '=');
          bar += current < target_ ? '>' : '=';
        }
        bar += std::string(static_cast<std::size_t>(std::max(0, opt_.width - prog_width)), '.');
        bar += ']';
      } else {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%7ld/Unknown", current);
        bar = buf;
      }
      total_width_ = bar.size();
      os << bar;
      const double time_per_unit = current ? (now - start_) / static_cast<double>(current) : 0.0;
      if (target_ > 0 && current < target_) {
        const double eta = time_per_unit * static_cast<double>(target_ - current);
        const long e = static_cast<long>(eta);
        char buf[64];
        if (eta > 3600)
          std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", e / 3600, (e % 3600) / 60, e % 60);
        else if (eta > 60)
          std::snprintf(buf, sizeof buf, "%ld:%02ld", e / 60, e % 60);
        else
          std::snprintf(buf, sizeof buf, "%lds", e);
        info = std::string(" - ETA: ") + buf;
      } else if (time_per_unit >= 1) {
        info += detail::format(" %.0fs/step", time_per_unit);
      } else if (time_per_unit >= 1e-3) {
        info += detail::format(" %.0fms/step", time_per_unit * 1e3);
      } else {
        info += detail::format(" %.0fus/step", time_per_unit * 1e6);
      }
      for (const auto& s : sums_) {
        const double avg = s.sum / std::max(1.0, s.count);
        info += " - " + s.key + ":";
        info += detail::format(std::abs(avg) > 1e-3 ? " %.4f" : " %.4e", avg);
      }
      total_width_ += info.size();
      if (prev_total_width > total_width_)
        info += std::string(prev_total_width - total_width_, ' ');
      if (target_ > 0 && current >= target_) info += '\n';
      os << info << std::flush;
    } else if (opt_.verbose == 2) {
      if (target_ <= 0 || current >= target_) {
        for (const auto& s : sums_) {
          const double avg = s.sum / std::max(1.0, s.count);
          info += " - " + s.key + ":";
          // Keras tests avg > 1e-3 here, not abs(avg): negatives print in %e.
          info += detail::format(avg > 1e-3 ? " %.4f" : " %.4e", avg);
        }
        os << info << '\n' << std::flush;
      }
    }
    last_update_ = now;
  }

  void add(long n, const Values& values = {}) { update(seen_so_far_ + n, values); }

 private:
  struct Sum {
    std::string key;
    double sum, count;
  };
  std::vector<Sum>::iterator find(const std::string& k) {
    for (auto it = sums_.begin(); it != sums_.end(); ++it)
      if (it->key == k) return it;
    return sums_.end();
  }

  long target_;
  Options opt_;
  double start_;
  double last_update_ = 0;
  long seen_so_far_ = 0;
  std::size_t total_width_ = 0;
  bool dynamic_ = false;
  std::vector<Sum> sums_;
};

}  // namespace ketl
