# actionlog_warnings: an INTERFACE target carrying the project's warning flags.
# Link it PRIVATE so the flags never leak into consumers of the libraries.
option(ACTIONLOG_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)

add_library(actionlog_warnings INTERFACE)
if(MSVC)
  target_compile_options(actionlog_warnings INTERFACE /W4 /permissive-)
else()
  target_compile_options(actionlog_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-align
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(actionlog_warnings INTERFACE -Wthread-safety)
  endif()
endif()
if(ACTIONLOG_WARNINGS_AS_ERRORS)
  target_compile_options(actionlog_warnings INTERFACE $<IF:$<CXX_COMPILER_ID:MSVC>,/WX,-Werror>)
endif()
