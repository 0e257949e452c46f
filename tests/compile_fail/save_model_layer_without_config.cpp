// save_model writes each layer's Keras config: a layer ketl has no config
// for (here a program's own layer) stops the build, naming it, rather than
// writing a file Keras could not read.
#include <algorithm>

#include <ketl/io/keras_model.hpp>
#include <ketl/ketl.hpp>

// A layer of the program's own: twice its input.
struct Twice : ketl::stateless_layer, ketl::callable_layer<Twice> {
  static constexpr std::string_view class_name = "Twice";
  template <class In>
  static constexpr bool accepts = true;
  template <class In>
  static constexpr void check_input() {}
  template <class In>
  using output_shape = In;
  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, ketl::Pass<T>&) {
    std::transform(x, x + n * In::size, y, [](T v) { return v + v; });
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, ketl::Pass<T>&) {
    if (dx) std::transform(dy, dy + n * In::size, dx, [](T v) { return v + v; });
  }
};

int main() {
  auto x = ketl::Input<4>{};
#ifdef KETL_SHOULD_FAIL
  auto model = ketl::Model{x, ketl::Dense<2>{}(Twice{}(x))};
#else
  auto model = ketl::Model{x, ketl::Dense<2>{}(ketl::Dense<3>{}(x))};
#endif
  ketl::save_model(model, "m.h5");
}
// EXPECT-ERROR: ketl::save_model: this layer has no Keras config in ketl yet
// EXPECT-ERROR: has_keras_config<Twice>
