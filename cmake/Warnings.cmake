# Strict warnings for our own targets only (third-party headers come in as SYSTEM).
function(sockudo_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
    -Wno-error=deprecated-declarations)
  # Clang reports class-key mismatches and unused constants by itself; gcc only when asked
  # (and spells the level its own way, which clang rejects).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wmismatched-tags -Wunused-const-variable=1)
  endif()
  # Sanitizer instrumentation makes GCC's flow analysis report false "maybe uninitialized"
  # warnings inside Boost.Beast's inlined parser; the regular build keeps the warning.
  if(SOCKUDO_SANITIZE)
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
endfunction()

# Declares one layer library from the .cpp files in the current directory.
function(sockudo_layer name)
  cmake_parse_arguments(L "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${L_DEPS})
  sockudo_warnings(${name})
endfunction()
