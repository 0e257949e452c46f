// How functional_network learns its graph's objects: each node object
// reached from the outputs is registered once (copies of a node are that
// node), its parents first; each layer object once (a ketl::shared layer
// called twice is one slot), copied, so that the Model owns its layers.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "ketl/detail/layer_names.hpp"
#include "ketl/error.hpp"
#include "ketl/layer.hpp"
#include "ketl/models/functional_parts.hpp"
#include "ketl/models/graph.hpp"
#include "ketl/models/node.hpp"
#include "ketl/models/node_traits.hpp"

namespace ketl::models::detail {

template <class Nodes, std::size_t MaxParents>
struct graph_registry {
  std::vector<graph_instance<MaxParents>>& inst_list;
  std::vector<declared_input>& declared;
  std::vector<layer_slot>& layers;
  std::map<const void*, std::size_t> seen{};
  std::map<const void*, std::size_t> layer_of{};  // a layer object given -> its slot

  // Registers node n (and its parents first) once per identity.
  template <class N>
  std::size_t add(const N& n) {
    if (const auto it = seen.find(n.id()); it != seen.end()) return it->second;
    graph_instance<MaxParents> inst;
    inst.position = ketl::detail::index_in<N, Nodes>::value;
    inst.id = n.id();
    inst.seq = n.seq();
    inst.out_size = N::shape::size;
    if constexpr (ketl::detail::is_input<N>::value) {
      for (std::size_t i = 0; i < declared.size(); ++i)
        if (declared[i].id == n.id()) inst.input = i;
      if (inst.input == no_index)
        throw value_error(
            "ketl::Model: an output depends on an Input that is not among the model's "
            "inputs(...)" +
            std::string(n.name().empty() ? "" : " (\"" + std::string(n.name()) + "\")"));
      declared[inst.input].instance = inst_list.size();
    } else if constexpr (ketl::detail::is_output_node<N>) {
      inst.parents[0] = add(n.call);
      inst.parent_count = 1;
      inst.part = N::index;
      inst.part_offset = N::offset;
    } else {
      using L = typename N::layer_type;
      std::apply([&](const auto&... p) { ((inst.parents[inst.parent_count++] = add(p)), ...); },
                 n.inputs);
      const void* given = n.layer.get();
      auto found = layer_of.find(given);
      if (found == layer_of.end()) {
        layer_slot s;
        s.object = std::make_shared<L>(*n.layer);  // the Model owns a copy
        s.clone = [](const void* p) -> std::shared_ptr<void> {
          return std::make_shared<L>(*static_cast<const L*>(p));
        };
        s.class_name = std::string(L::class_name);
        s.own_name = std::string(ketl::detail::own_name(*n.layer));
        s.params = node_traits<N>::params;
        s.fixed_params = node_traits<N>::fixed_params;
        s.trainable = [](const void* p) {
          return ketl::detail::layer_trainable(*static_cast<const L*>(p));
        };
        found = layer_of.emplace(given, layers.size()).first;
        layers.push_back(std::move(s));
      } else if (layers[found->second].params != node_traits<N>::params) {
        throw value_error("ketl::Model: a shared " + std::string(L::class_name) +
                          " is called on inputs of different shapes; a shared layer's weights "
                          "need one input shape");
      }
      inst.slot = found->second;
      inst.layer = layers[found->second].object.get();
    }
    inst_list.push_back(inst);
    return seen[n.id()] = inst_list.size() - 1;
  }
};

}  // namespace ketl::models::detail
