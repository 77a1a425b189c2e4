// The guide's conversation query, a page at a time until the last one:
//   query = client.createQuery({model: layer.Query.Conversation, paginationWindow: 10});
#include "example_util.h"

using namespace example;

int main(int argc, char** argv) {
  Client client(OptionsFromArgs(argc, argv, "USER [PAGE_SIZE]"));
  if (argc < 4) return 2;
  ConnectOrExit(client, argv[3]);
  QueryOptions options{.page_size = argc > 4 ? std::atoi(argv[4]) : 10, .sort_by = "last_message"};
  for (int page_number = 1;; ++page_number) {
    std::promise<Result<QueryPage<Conversation>>> answer;
    client.queryConversations(
        options, [&](Result<QueryPage<Conversation>> r) { answer.set_value(std::move(r)); });
    auto page = answer.get_future().get();
    if (!page.ok()) {
      std::fprintf(stderr, "query: %s\n", page.status().ToString().c_str());
      return 1;
    }
    std::printf("page %d (%zu of %lld)\n", page_number, page->items.size(),
                static_cast<long long>(page->total));
    for (const Conversation& c : page->items) {
      std::string who;
      for (const auto& p : c.participants()) who += (who.empty() ? "" : ", ") + p;
      Message last = c.lastMessage();
      std::string text = last && !last.parts().empty() ? last.parts()[0].body() : "";
      std::printf("  %s [%s] unread %lld: %s\n", c.id().str().c_str(), who.c_str(),
                  static_cast<long long>(c.unreadCount()), text.c_str());
    }
    if (!page->hasMore()) break;
    options.from_id = page->next_from_id;
  }
  return 0;
}
