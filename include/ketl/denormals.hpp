// Denormal floats flushed to zero while ketl trains and predicts, as
// TensorFlow runs every kernel (and so Keras trains): its executor sets
// flush-to-zero and denormals-are-zero around each op. Besides matching
// Keras's numbers, it is a matter of speed: on Intel cores an operation
// that meets or makes a denormal takes a microcode assist of about a
// hundred cycles, and Adam's second moments (g * g of small gradients)
// make them by the thousand. set_flush_denormals(false) keeps IEEE
// gradual underflow.
//
// The flags are the thread's own (x86's MXCSR: FTZ, bit 15, and DAZ, bit
// 6). ketl sets them for the span of each step (detail::denormal_scope)
// and restores the caller's on the way out, so code between steps, such as
// a callback, sees the program's own mode; the kernels' helper threads take
// the mode of the step they work for. Elsewhere than x86 this is a no-op.
#pragma once

#include <atomic>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define KETL_HAS_MXCSR 1
#endif

namespace ketl {

namespace detail {
inline std::atomic<bool>& flush_denormals_flag() {
  static std::atomic<bool> on{true};
  return on;
}
}  // namespace detail

// Whether fit, evaluate, predict and the *_on_batch and generator methods
// flush denormals to zero (the default, as TensorFlow).
inline void set_flush_denormals(bool on) {
  detail::flush_denormals_flag().store(on, std::memory_order_relaxed);
}
inline bool flush_denormals() {
  return detail::flush_denormals_flag().load(std::memory_order_relaxed);
}

namespace detail {

#ifdef KETL_HAS_MXCSR
inline constexpr unsigned ftz_daz = 0x8040u;
// DAZ is an SSE3-era bit: setting it where MXCSR lacks it would fault.
inline bool daz_supported() {
  static const bool yes = __builtin_cpu_supports("sse3");
  return yes;
}
inline unsigned fp_mode() { return _mm_getcsr(); }
// The control bits of mode (rounding, masks, FTZ, DAZ); this thread's
// exception flags (bits 0-5) stay as they are.
inline void set_fp_mode(unsigned mode) {
  constexpr unsigned flags = 0x3fu;
  const unsigned now = _mm_getcsr();
  if ((now ^ mode) & ~flags) _mm_setcsr((mode & ~flags) | (now & flags));
}
#else
inline unsigned fp_mode() { return 0; }
inline void set_fp_mode(unsigned) {}
#endif

// FTZ and DAZ on for this thread while it lives (when flush_denormals()),
// then the mode it found.
class denormal_scope {
 public:
  denormal_scope() : saved_(fp_mode()) {
#ifdef KETL_HAS_MXCSR
    if (flush_denormals()) set_fp_mode(saved_ | (daz_supported() ? ftz_daz : ftz_daz & ~0x40u));
#endif
  }
  ~denormal_scope() { set_fp_mode(saved_); }
  denormal_scope(const denormal_scope&) = delete;
  denormal_scope& operator=(const denormal_scope&) = delete;

 private:
  unsigned saved_;
};

}  // namespace detail
}  // namespace ketl
