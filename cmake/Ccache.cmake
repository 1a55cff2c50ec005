# Uses ccache when it is installed; precompiled headers need the sloppiness below to hit the cache.
find_program(BEASTCHAIN_CCACHE ccache)
if(BEASTCHAIN_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${BEASTCHAIN_CCACHE} CACHE STRING "" FORCE)
    set(ENV{CCACHE_SLOPPINESS} "pch_defines,time_macros,include_file_mtime,include_file_ctime")
endif()
