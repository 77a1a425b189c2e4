// Rich content reads.
#include "store/sqlite/reads.h"

namespace relayer::sqlite {

Result<ContentInfo> ReadContent(Connection& db, const ContentId& id) {
  auto q = db.Prepare(
      "SELECT app, uploader, mime_type, size, created_at, uploaded_at FROM content WHERE id = ?1");
  q.Bind(1, id.str());
  if (!q.Next()) return q.ok() ? Result<ContentInfo>(NotFound("content not found")) : q.status();
  ContentInfo c;
  c.id = id;
  c.app_id = AppId(q.Text(0));
  c.uploader = UserId(q.Text(1));
  c.mime_type = q.Text(2);
  c.size = q.Int(3);
  c.created_at = q.Int(4);
  if (!q.IsNull(5)) c.uploaded_at = q.Int(5);
  return c;
}

Result<bool> ReadMayReadContent(Connection& db, const AppId& app, const UserId& user,
                                const ContentId& id) {
  auto q = db.Prepare(
      "SELECT 1 FROM content c WHERE c.id = ?1 AND c.app = ?2 AND (c.uploader = ?3 OR EXISTS "
      "(SELECT 1 FROM conversation_content cc JOIN participants p ON p.conv = cc.conv "
      "WHERE cc.content = c.id AND p.user_id = ?3))");
  q.Bind(1, id.str()).Bind(2, app.str()).Bind(3, user.str());
  if (q.Next()) return true;
  if (!q.ok()) return q.status();
  return false;
}

}  // namespace relayer::sqlite
