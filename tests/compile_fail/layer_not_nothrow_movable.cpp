// A Sequential keeps views of its layers' weights across its own moves: a
// layer type whose move may copy (a copy constructor and no move) would
// leave them pointing at freed buffers.
#include <string_view>
#include <vector>

#include <ketl/ketl.hpp>

struct Scale : ketl::stateless_layer, ketl::callable_layer<Scale> {
  static constexpr std::string_view class_name = "Scale";
  Scale() = default;
#ifdef KETL_SHOULD_FAIL
  Scale(const Scale& o) : factors(o.factors) {}  // no move constructor: moves copy
#endif
  template <class In>
  static constexpr bool accepts = true;
  template <class In>
  static constexpr void check_input() {}
  template <class In>
  using output_shape = In;
  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, ketl::Pass<T>&) {
    for (std::size_t i = 0; i < n * In::size; ++i) y[i] = 2 * x[i];
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, ketl::Pass<T>&) {
    if (dx)
      for (std::size_t i = 0; i < n * In::size; ++i) dx[i] = 2 * dy[i];
  }
  std::vector<float> factors;
};

int main() {
  auto model = ketl::Sequential{ketl::Input<4>{}, Scale{}, ketl::Dense<1>{}};
  (void)model;
}
// EXPECT-ERROR: every layer type must be nothrow move-constructible
