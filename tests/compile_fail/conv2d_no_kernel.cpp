// Keras's Conv2D has no default kernel_size, and neither has ketl's.
#include <ketl/ketl.hpp>

int main() {
#ifdef KETL_SHOULD_FAIL
  ketl::Conv2D<8, ketl::conv2d{.strides = {2, 2}}> conv;
#else
  ketl::Conv2D<8, ketl::conv2d{.kernel = {3, 3}, .strides = {2, 2}}> conv;
#endif
  (void)conv;
}
// EXPECT-ERROR: ketl::Conv2D needs a kernel size, as Keras's kernel_size
