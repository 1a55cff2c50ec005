// The explorer's page, script and style sheet, built into the binary (cmake/embed.cmake).
#pragma once

#include <span>
#include <string_view>

namespace beastchain::node {

struct explorer_asset
{
    std::string_view name; ///< file name: index.html, app.js, app.css
    std::string_view content_type;
    std::string_view text;
};

/// The asset named `name`, or null.
const explorer_asset* find_explorer_asset(std::string_view name);
/// Every asset (the page weight is their sum).
std::span<const explorer_asset> explorer_assets();

} // namespace beastchain::node
