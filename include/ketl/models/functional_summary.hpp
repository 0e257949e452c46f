// functional_network's summary(): Keras 2.2.4's print_summary for a
// functional model, in its own header (models/functional.hpp includes it).
#pragma once

#include <array>
#include <cstddef>
#include <utility>
#include <string>
#include <vector>

#include "ketl/models/functional_network.hpp"
#include "ketl/models/summary.hpp"

namespace ketl::models {

namespace detail {
// A node's Output Shape: its shape, or for a layer with several outputs
// (return_state) Keras's list of them, "[(None, 32), (None, 32)]".
template <class N>
std::string node_shape_string() {
  if constexpr (is_call<N>) {
    using L = typename N::layer_type;
    constexpr std::size_t count = ketl::detail::output_count<L>;
    if constexpr (count > 1) {
      using In = typename ketl::detail::call_input<N>::type;
      std::string out = "[";
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((out += (K ? ", " : "") + shape_string<typename L::template output_part<In, K>>(true)),
         ...);
      }
      (std::make_index_sequence<count>{});
      return out + "]";
    }
  }
  return shape_string<typename N::shape>(true);
}
}  // namespace detail

// Keras 2.2.4's print_summary for a functional model (line_length 98):
// Layer (type), Output Shape, Param #, Connected to ("dense_1[0][0]": the
// layer, which of its calls made the tensor, and the tensor's index).
template <class... In, class... Out>
void functional_network<ketl::detail::type_list<In...>, ketl::detail::type_list<Out...>>::summary(
    std::ostream& os) const {
  static_assert(well_formed, "ketl::Model::summary: the graph does not fit together");
  std::array<std::string, positions> shapes{};
  [&]<std::size_t... P>(std::index_sequence<P...>) {
    ((shapes[P] = detail::node_shape_string<node_t<P>>()), ...);
  }
  (std::make_index_sequence<positions>{});
  auto source = [&](std::size_t p) {
    const auto& inst = inst_[p];
    if (inst.part != npos) {  // output k of a call: "lstm_1[0][k]"
      const auto& call = inst_[inst.parents[0]];
      return layers_[call.slot].name + "[" + std::to_string(call.use) + "][" +
             std::to_string(inst.part) + "]";
    }
    const std::string name =
        inst.input != npos ? declared_[inst.input].name : layers_[inst.slot].name;
    return name + "[" + std::to_string(inst.use) + "][0]";
  };
  ketl::detail::summary_table table(os, {32, 53, 65, 98});
  table.header({"Layer (type)", "Output Shape", "Param #", "Connected to"});
  const std::size_t rows = rows_.size();
  std::size_t row = 0;
  for (std::size_t r : rows_) {
    if (r < declared_.size()) {
      const auto& d = declared_[r];
      table.row({d.name + " (InputLayer)", shapes[inst_[d.instance].position], "0", ""},
                ++row == rows);
      continue;
    }
    const std::size_t s = r - declared_.size();
    std::vector<std::string> connections;
    for (std::size_t i : order_)
      if (inst_[i].slot == s)
        for (std::size_t j = 0; j < inst_[i].parent_count; ++j)
          connections.push_back(source(inst_[i].parents[j]));
    const auto& slot = layers_[s];
    table.line({slot.name + " (" + slot.class_name + ")", shapes[inst_[slot.first].position],
                std::to_string(slot.params), connections.empty() ? "" : connections[0]});
    for (std::size_t c = 1; c < connections.size(); ++c) table.line({"", "", "", connections[c]});
    table.rule(++row == rows ? '=' : '_');
  }
  // A frozen layer's parameters are all non-trainable (read live).
  const std::size_t total = param_count();
  std::size_t trainable = 0;
  for (const auto& slot : layers_)
    if (slot.trainable(slot.object.get())) trainable += slot.params - slot.fixed_params;
  table.totals(total, trainable, total - trainable, rows == 0);
}

}  // namespace ketl::models
