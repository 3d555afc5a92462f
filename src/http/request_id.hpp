// Request ids in Nova's form: "req-" + a random (version 4) UUID. Thread-safe.
#pragma once

#include <string>

namespace actionlog::http {

std::string NewRequestId();

}  // namespace actionlog::http
