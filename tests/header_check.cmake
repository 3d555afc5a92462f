# Compiles every public header on its own, so each one includes what it uses.
file(GLOB_RECURSE ACTIONLOG_PUBLIC_HEADERS CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/include/actionlog/*.hpp)
set(_header_check_sources)
foreach(header ${ACTIONLOG_PUBLIC_HEADERS})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR}/include ${header})
  string(MAKE_C_IDENTIFIER ${rel} id)
  set(src ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.cpp)
  file(CONFIGURE OUTPUT ${src} CONTENT "#include \"${rel}\"\n")
  list(APPEND _header_check_sources ${src})
endforeach()
add_library(actionlog_header_check OBJECT ${_header_check_sources})
target_link_libraries(actionlog_header_check PRIVATE actionlog_core actionlog_warnings)
