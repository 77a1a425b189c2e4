// The backends the conformance suite runs against.
#include "unit/store/store_fixture.h"

namespace relayer::testing {

std::vector<StoreBackend> AllStoreBackends() {
  return {
      StoreBackend{"SQLite",
                   [](const std::string& location, const Limits& limits, size_t max_batch) {
                     SqliteOptions options;
                     options.path = location + "/relayer.db";
                     options.limits = limits;
                     options.max_batch = max_batch;
                     return OpenSqliteStore(options);
                   }},
  };
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(AllStoreBackends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

}  // namespace relayer::testing
