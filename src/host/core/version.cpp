#include "varscope/version.h"

#define VARSCOPE_STRINGIFY2(x) #x
#define VARSCOPE_STRINGIFY(x) VARSCOPE_STRINGIFY2(x)

namespace varscope {

std::string_view version() {
  return VARSCOPE_STRINGIFY(VARSCOPE_VERSION_MAJOR) "." VARSCOPE_STRINGIFY(
      VARSCOPE_VERSION_MINOR) "." VARSCOPE_STRINGIFY(VARSCOPE_VERSION_PATCH);
}

}  // namespace varscope
