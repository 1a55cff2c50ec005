# One INTERFACE target carries warnings and sanitizer flags so every beastchain target agrees on them.
add_library(beastchain_options INTERFACE)
target_compile_options(beastchain_options INTERFACE -Wall -Wextra -Wpedantic)
if(BEASTCHAIN_WERROR)
    target_compile_options(beastchain_options INTERFACE -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 pairs Asio's awaitable-frame operator new (thread_info_base recycling allocator) with
    # its sized operator delete and reports a mismatch that is not there (gcc PR 109224; seen in
    # sync.cpp). It stays a warning; the ASan build checks real new/delete mismatches.
    target_compile_options(beastchain_options INTERFACE -Wno-error=mismatched-new-delete)
endif()

if(BEASTCHAIN_SANITIZE STREQUAL "address")
    set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
elseif(BEASTCHAIN_SANITIZE STREQUAL "thread")
    # GCC 12 warns (-Wtsan) that TSan cannot model the atomic_thread_fence Asio uses internally;
    # with -Werror that stopped CI. It stays visible as a warning.
    set(_san -fsanitize=thread -fno-omit-frame-pointer -Wno-error=tsan)
elseif(NOT BEASTCHAIN_SANITIZE STREQUAL "")
    message(FATAL_ERROR "BEASTCHAIN_SANITIZE must be '', 'address' or 'thread'")
endif()
if(BEASTCHAIN_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "BEASTCHAIN_FUZZ needs clang++ (libFuzzer)")
    endif()
    # Every library is instrumented for coverage; only the fuzz executables link libFuzzer's main.
    # -fno-sanitize=function: clang 14 cannot emit its prologue data for coroutines ("Cannot
    # represent a difference across sections", llvm-project#49689); the GCC ASan+UBSan build covers it.
    list(APPEND _san -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-omit-frame-pointer)
endif()
if(_san)
    # Sanitizer instrumentation makes GCC report -Wmaybe-uninitialized inside Boost.Beast's
    # inlined parser (boost::optional in basic_parser.hpp); CI saw it with -Werror. The normal
    # build keeps the warning as an error; here it stays a warning.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        list(APPEND _san -Wno-error=maybe-uninitialized)
    endif()
    target_compile_options(beastchain_options INTERFACE ${_san})
    target_link_options(beastchain_options INTERFACE ${_san})
endif()
