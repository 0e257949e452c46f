// The exceptions ketl throws. All derive from ketl::error, so one catch
// handles every ketl failure; the subclasses say what kind it was.
//
// Where ketl itself meets a std:: exception (an allocation that fails, a
// thread that cannot start), it throws a ketl::error instead, with the
// original nested (std::throw_with_nested), so std::rethrow_if_nested
// still reaches it. Exceptions thrown by the user's own code (a callback, a
// generator, a custom metric) pass through unchanged.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace ketl {

struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Data whose shape does not fit the model, loss or metric (Keras's ValueError
// "Error when checking input: ...").
struct shape_error : error {
  using error::error;
};

// An argument outside its domain: an unknown name, a bad rate, an empty batch.
struct value_error : error {
  using error::error;
};

// A file that is missing, unreadable, truncated or corrupt, or that cannot
// be written. The message names the file and, where the OS gave one, its reason.
struct io_error : error {
  using error::error;
};

// The model was used before compile().
struct not_compiled_error : error {
  using error::error;
};

// Memory or threads that could not be had (Python's MemoryError): the
// message names what was asked for; the std:: exception is nested.
struct resource_error : error {
  using error::error;
};

namespace detail {
// The OS's words for an errno value: "No such file or directory".
inline std::string os_reason(int err) { return std::generic_category().message(err); }

// The machine's physical memory in bytes (0 when the OS does not say).
inline std::size_t physical_memory() {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? std::size_t(pages) * std::size_t(page) : 0;
#else
  return 0;
#endif
}

// Refuses, before asking, an allocation larger than the machine's memory:
// the allocator's answer to such a request is not always an exception (a
// sanitizer aborts; an overcommitting kernel may kill the process later).
inline void check_allocation(std::size_t bytes, std::string_view what) {
  const std::size_t have = physical_memory();
  if (have != 0 && bytes > have)
    throw resource_error(std::string(what) + ": " + std::to_string(double(bytes) / 1e9) +
                         " GB asked for, more than this machine's " +
                         std::to_string(double(have) / 1e9) + " GB of memory");
}

// Runs f(); a std:: exception it throws (not a ketl::error) leaves as a
// ketl::resource_error or ketl::error that says `what` was being done,
// with the original nested. Used around ketl's own allocations and
// threads, never around user code.
template <class F>
decltype(auto) as_ketl_error(std::string_view what, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const error&) {
    throw;
  } catch (const std::bad_alloc&) {
    std::throw_with_nested(resource_error(std::string(what) + ": out of memory"));
  } catch (const std::length_error& e) {
    std::throw_with_nested(
        resource_error(std::string(what) + ": more than can be allocated (" + e.what() + ")"));
  } catch (const std::system_error& e) {
    std::throw_with_nested(resource_error(std::string(what) + ": " + e.what()));
  } catch (const std::exception& e) {
    std::throw_with_nested(error(std::string(what) + ": " + e.what()));
  }
}
}  // namespace detail

}  // namespace ketl
