#include "transport/accept_header.hpp"

#include <boost/algorithm/string.hpp>
#include <string>

namespace blender_bus::transport {

AcceptedMedia parse_accept(std::string_view header) {
  AcceptedMedia media;
  if (boost::algorithm::trim_copy(std::string(header)).empty()) return {true, true};
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string range(header.substr(start, end - start));
    // Drop parameters; q=0 means "not acceptable".
    const std::size_t semicolon = range.find(';');
    bool refused = false;
    if (semicolon != std::string::npos) {
      std::string params = boost::algorithm::to_lower_copy(range.substr(semicolon + 1));
      boost::algorithm::erase_all(params, " ");
      refused = params.find("q=0") != std::string::npos && params.find("q=0.") == std::string::npos;
      range.resize(semicolon);
    }
    boost::algorithm::trim(range);
    boost::algorithm::to_lower(range);
    if (!refused) {
      if (range == "*/*") media = {true, true};
      if (range == "application/json" || range == "application/*") media.json = true;
      if (range == "text/event-stream" || range == "text/*") media.event_stream = true;
    }
    start = end + 1;
  }
  return media;
}

}  // namespace blender_bus::transport
