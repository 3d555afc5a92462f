#include "hostile_fixture.hpp"
