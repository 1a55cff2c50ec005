# install() rules for the node, its units, example config and docs, and CPack's .deb settings.
include(GNUInstallDirs)
install(TARGETS beastchain-node beastchain-wallet RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES deploy/systemd/beastchain-node.service deploy/systemd/beastchain-node@.service
        DESTINATION lib/systemd/system)
install(FILES deploy/node.conf.example deploy/systemd/tls.conf.example DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES README.md docs/api.md docs/design.md docs/deploy.md docs/performance.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
# The package ships a working default config as a conffile (dpkg keeps local edits on upgrade).
install(FILES deploy/node.conf.example DESTINATION /etc/beastchain RENAME node.conf)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME beastchain)
set(CPACK_PACKAGE_VENDOR "beastchain developers")
set(CPACK_PACKAGE_CONTACT "beastchain developers <dev@beastchain.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "blockchain node on Boost.Asio/Beast with the tutorial's HTTP API")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON) # ship a stripped binary; the build tree keeps the debug info
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
    ${PROJECT_SOURCE_DIR}/deploy/debian/postrm ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
