// Rich content reads on PostgreSQL.
#include "store/postgres/ops.h"
#include "store/postgres/reads.h"

namespace relayer::pg {

Result<ContentInfo> ReadContent(Connection&, const ContentId&) { return NotImplemented(); }
Result<bool> ReadMayReadContent(Connection&, const AppId&, const UserId&, const ContentId&) {
  return NotImplemented();
}

}  // namespace relayer::pg
