// Announcements on PostgreSQL.
#include "store/postgres/ops.h"

namespace relayer::pg {

Status Apply(PgOpContext&, const CreateAnnouncementOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const AnnouncementReceiptOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const HideAnnouncementOp&, WriteResult&) { return NotImplemented(); }

}  // namespace relayer::pg
