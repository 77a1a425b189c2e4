// Platform API reads on PostgreSQL: announcements, block lists, badges, If-None-Match answers.
#include "store/postgres/ops.h"
#include "store/postgres/reads.h"

namespace relayer::pg {

Result<Message> ReadAnnouncement(Connection&, const AppId&, const UserId&, const MessageId&) {
  return NotImplemented();
}
Result<MessageList> ReadAnnouncements(Connection&, const Limits&, const AppId&, const UserId&,
                                      const Page&) {
  return NotImplemented();
}
Result<std::vector<UserId>> ReadBlocks(Connection&, const AppId&, const UserId&) {
  return NotImplemented();
}
Result<Badge> ReadBadge(Connection&, const AppId&, const UserId&) { return NotImplemented(); }
Result<std::optional<DedupEntry>> ReadDedup(Connection&, const AppId&, const std::string&, TimeMs) {
  return NotImplemented();
}

}  // namespace relayer::pg
