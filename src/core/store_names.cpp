#include "actionlog/store/store.hpp"

namespace actionlog::store {

std::string_view EntityName(Entity entity) {
  switch (entity) {
    case Entity::kInstance:
      return "instance";
    case Entity::kAction:
      return "action";
    case Entity::kEvent:
      return "event";
  }
  return "unknown";
}

}  // namespace actionlog::store
