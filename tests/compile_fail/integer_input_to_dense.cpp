// Token indices feed only an Embedding; Keras 2.2.4 refuses an int32 input
// to Dense too.
#include <cstdint>

#include <ketl/ketl.hpp>

int main() {
  auto tokens = ketl::Input<10>::of<std::int32_t>{};
#ifdef KETL_SHOULD_FAIL
  auto out = ketl::Dense<1>{}(tokens);
#else
  auto out = ketl::Dense<1>{}(ketl::Flatten{}(ketl::Embedding<100, 8>{}(tokens)));
#endif
  auto model = ketl::Model(tokens, out);
  (void)model;
}
// EXPECT-ERROR: an integer Input \(token indices\) feeds only an Embedding
