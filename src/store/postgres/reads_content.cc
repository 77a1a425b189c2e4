// Rich content reads on PostgreSQL.
#include "store/postgres/reads.h"
#include "store/postgres/sql.h"

namespace relayer::pg {

Result<ContentInfo> ReadContent(Connection& db, const ContentId& id) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT app, uploader, mime_type, size, created_at, uploaded_at FROM "
                       "content WHERE id = $1",
                       {P(id.str())}));
  if (r.rows.empty()) return NotFound("content not found");
  const Row& row = r.rows[0];
  ContentInfo c;
  c.id = id;
  c.app_id = AppId(Text(row[0]));
  c.uploader = UserId(Text(row[1]));
  c.mime_type = Text(row[2]);
  c.size = Int(row[3]);
  c.created_at = Int(row[4]);
  if (row[5]) c.uploaded_at = Int(row[5]);
  return c;
}

Result<bool> ReadMayReadContent(Connection& db, const AppId& app, const UserId& user,
                                const ContentId& id) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT 1 FROM content c WHERE c.id = $1 AND c.app = $2 AND (c.uploader = "
                       "$3 OR EXISTS (SELECT 1 FROM conversation_content cc JOIN participants p "
                       "ON p.app = cc.app AND p.conv = cc.conv WHERE cc.app = c.app AND "
                       "cc.content = c.id AND p.user_id = $3))",
                       {P(id.str()), P(app.str()), P(user.str())}));
  return !r.rows.empty();
}

}  // namespace relayer::pg
