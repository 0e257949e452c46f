// ketl::Model: Keras's functional API, a typed graph of layers
// (models/functional_network.hpp) with the training engine
// (engine/trainer.hpp):
//
//   auto title = ketl::Input<100>{{.name = "title"}};
//   auto body  = ketl::Input<300>{{.name = "body"}};
//   auto t = ketl::Dense<32, ketl::Relu>{}(title);
//   auto merged = ketl::Concatenate{}(t, ketl::Dense<32, ketl::Relu>{}(body));
//   auto main_out = ketl::Dense<1, ketl::Sigmoid>{{.name = "main_output"}}(merged);
//   auto aux_out  = ketl::Dense<1, ketl::Sigmoid>{{.name = "aux_output"}}(t);
//   auto model = ketl::Model{ketl::inputs(title, body), ketl::outputs(main_out, aux_out)};
//
// A model with one input and one output is ketl::Model{in, out}, and takes
// plain arrays; several take std::tuples of arrays (std::tie(a, b)).
#pragma once

#include <cstddef>
#include <iostream>
#include <utility>

#include "ketl/engine/trainer.hpp"
#include "ketl/models/functional_network.hpp"
#include "ketl/models/functional_summary.hpp"
#include "ketl/models/nested.hpp"
#include "ketl/models/node.hpp"

namespace ketl {

template <class Inputs, class Outputs>
class Model : public engine::trainer<models::functional_network<Inputs, Outputs>> {
  using net_type = models::functional_network<Inputs, Outputs>;
  using base = engine::trainer<net_type>;

 public:
  using value_type = typename net_type::value_type;
  static constexpr bool well_formed = net_type::well_formed;
  // Each node type's layer parameters, known at compile time.
  static constexpr auto node_param_counts = net_type::node_param_counts;

  template <class... I, class... O>
  Model(const InputList<I...>& in, const OutputList<O...>& out) : base(net_type(in, out)) {}
  template <class I, class O>
  requires(detail::is_input<I>::value&& detail::is_node<O>) Model(const I& in, const O& out)
      : base(net_type(inputs(in), outputs(out))) {}

  // Keras's Model.count_params(): every layer's weights, a shared layer's once.
  std::size_t param_count() const { return this->net_.param_count(); }
  // The layers' names: the inputs', then the layers' in execution order.
  std::vector<std::string> layer_names() const { return this->net_.layer_names(); }

  void summary(std::ostream& os = std::cout) const {
    if constexpr (well_formed) this->net_.summary(os);  // else the graph's checks said why
  }
};

template <class... I, class... O>
Model(const InputList<I...>&, const OutputList<O...>&)
    -> Model<detail::type_list<I...>, detail::type_list<O...>>;
template <class I, class O>
requires(detail::is_input<I>::value&& detail::is_node<O>) Model(const I&, const O&)
->Model<detail::type_list<I>, detail::type_list<O>>;

}  // namespace ketl
