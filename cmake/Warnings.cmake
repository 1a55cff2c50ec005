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
    # TSan cannot model atomic_thread_fence (GCC 12 says so with -Wtsan), and Asio's reference
    # counts release with fetch_sub and then acquire with a fence. With several I/O threads that
    # reported a race on every any_io_executor holding a strand that was destroyed on another
    # thread than the last copy was made on: not a race, but the sanitizer's blind spot. Without
    # std::atomic, Asio counts references with boost::detail::atomic_count (sequentially
    # consistent operations TSan sees), so TSan checks those objects instead of being told to
    # ignore them. Its handler fences become inline x86 instructions TSan cannot see either; they
    # never were the synchronization (handlers change threads under the scheduler's and strands'
    # mutexes). So this build's Asio differs from release only in how it counts and fences.
    # -Wtsan stays a warning for any fence left in a header.
    set(_san -fsanitize=thread -fno-omit-frame-pointer -Wno-error=tsan)
    target_compile_definitions(beastchain_options INTERFACE BOOST_ASIO_DISABLE_STD_ATOMIC)
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
