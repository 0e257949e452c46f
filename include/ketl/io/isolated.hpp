// Runs a parser in a child process, so that a hostile file that crashes
// the library parsing it costs an io_error, not the program (POSIX fork).
//
// Why: libhdf5 1.10 trusts sizes in a file's metadata. Fuzzing ketl's .h5
// reader found a heap use-after-free inside H5Aexists, allocations of
// terabytes in H5C_protect and leaks after a failed H5Fopen, all on corrupt
// files (docs/robustness.md). ketl cannot fix them, so it keeps them out of
// the caller's process: the child parses and sends the result back through
// a pipe; a child that dies, hangs past its time or sends a malformed reply
// is reported with the file's name.
//
// The child only parses and writes to the pipe, then _exit()s: no atexit
// handler, no flush of the parent's stdio buffers. With threads running in
// the parent, the child has only the forking thread; glibc's fork keeps
// malloc usable there. set_isolated_readers(false) parses in-process instead
// (for a platform without fork, or to debug the parser).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>

#include "ketl/error.hpp"

namespace ketl::io {

namespace detail {
inline std::atomic<bool>& isolated_on() {
  static std::atomic<bool> on{true};
  return on;
}
inline std::atomic<long long>& isolated_base_seconds() {
  static std::atomic<long long> s{60};
  return s;
}
}  // namespace detail

// Whether file readers that wrap a C library (the .h5 reader) run it in a
// child process (the default), and how long a child may take: base_seconds
// plus a second per MB of file, far beyond any honest file's time.
inline void set_isolated_readers(bool on, std::chrono::seconds base = std::chrono::seconds(60)) {
  detail::isolated_on() = on;
  detail::isolated_base_seconds() = base.count();
}
inline bool isolated_readers() { return detail::isolated_on(); }
inline std::chrono::seconds isolated_reader_limit(std::size_t file_bytes) {
  return std::chrono::seconds(detail::isolated_base_seconds() +
                              static_cast<long long>(file_bytes >> 20));
}

namespace detail {

// The reply's framing: one status byte ('k' ok, 'e' error), then the body.
// Returns the body of an 'k' reply; throws the child's io_error for 'e'.
template <class Parse>
std::string run_isolated(Parse parse, const std::string& where, std::chrono::seconds limit) {
  int fds[2];
  if (::pipe(fds) != 0)
    throw io_error(where + ": cannot start the reader process (" + std::strerror(errno) + ")");
#ifdef F_SETPIPE_SZ
  // A bigger pipe: fewer hand-offs between the two processes for big replies.
  ::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
#endif
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]), ::close(fds[1]);
    throw io_error(where + ": cannot start the reader process (" + std::strerror(err) + ")");
  }
  if (pid == 0) {  // the child: parse, send, _exit
    ::close(fds[0]);
    // What a crashing library (or a sanitizer) would print is not the
    // caller's output: the io_error says what happened, and
    // set_isolated_readers(false) shows it all in-process.
    if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) ::dup2(null, 2);
    std::string reply;
    try {
      reply = "k" + parse();
    } catch (const std::exception& e) {
      reply = std::string("e") + e.what();
    } catch (...) {
      reply = "eunknown failure";
    }
    const char* p = reply.data();
    std::size_t left = reply.size();
    while (left > 0) {
      const ssize_t w = ::write(fds[1], p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) ::_exit(3);
      p += w, left -= std::size_t(w);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string reply;
  std::string buf(std::size_t{1} << 20, '\0');
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    const int r = ::poll(&pfd, 1, int(std::min<long long>(left.count(), 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    if (r == 0) continue;
    const ssize_t n = ::read(fds[0], buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is done (or dead)
    reply.append(buf.data(), std::size_t(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    throw io_error(where + ": reading it took over " + std::to_string(limit.count()) +
                   " s; the file is corrupt (its structure loops) or far too large");
  if (WIFSIGNALED(status))
    throw io_error(where + ": the reader crashed on it (signal " +
                   std::to_string(WTERMSIG(status)) + "): the file is corrupt");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || reply.empty())
    throw io_error(where + ": the reader failed on it (exit status " +
                   std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                   "): the file is corrupt");
  if (reply[0] == 'e') throw io_error(reply.substr(1));
  if (reply[0] != 'k') throw io_error(where + ": the reader sent a malformed reply");
  return reply.substr(1);
}

}  // namespace detail
}  // namespace ketl::io
