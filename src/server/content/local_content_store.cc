#include "server/content/local_content_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "server/auth/crypto.h"

namespace relayer::server {

namespace fs = std::filesystem;

namespace {

Status IoError(const std::string& what, const std::string& path) {
  return Internal("content store: " + what + " " + path + ": " + std::strerror(errno));
}

// Retries writes cut short by signals or partial writes.
bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

class LocalWriter final : public ContentWriter {
 public:
  LocalWriter(int fd, std::string temp, std::string final_path)
      : fd_(fd), temp_(std::move(temp)), final_(std::move(final_path)) {}
  ~LocalWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }

  Status Write(const char* data, size_t size) override {
    if (fd_ < 0) return Internal("content store: write after commit");
    if (!WriteAll(fd_, data, size)) return IoError("cannot write", temp_);
    return Status::Ok();
  }

  Status Commit() override {
    if (fd_ < 0) return Internal("content store: committed twice");
    if (::fsync(fd_) != 0) return IoError("cannot sync", temp_);
    ::close(fd_);
    fd_ = -1;
    std::error_code ec;
    fs::create_directories(fs::path(final_).parent_path(), ec);
    if (ec) return Internal("content store: cannot create " + final_ + ": " + ec.message());
    if (::rename(temp_.c_str(), final_.c_str()) != 0) return IoError("cannot rename to", final_);
    committed_ = true;
    SyncDirectory(fs::path(final_).parent_path().string());
    return Status::Ok();
  }

 private:
  int fd_;
  std::string temp_;
  std::string final_;
  bool committed_ = false;
};

class LocalReader final : public ContentReader {
 public:
  LocalReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~LocalReader() override { ::close(fd_); }

  Result<size_t> Read(char* buf, size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_, buf, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IoError("cannot read", path_);
      return static_cast<size_t>(n);
    }
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<LocalContentStore>> LocalContentStore::Open(const std::string& root) {
  std::error_code ec;
  fs::create_directories(fs::path(root) / "tmp", ec);
  if (ec) {
    return Status(ErrorCode::kServiceUnavailable,
                  "cannot create content folder '" + root + "': " + ec.message());
  }
  for (const auto& entry : fs::directory_iterator(fs::path(root) / "tmp", ec)) {
    std::error_code ignored;
    fs::remove(entry.path(), ignored);
  }
  return std::unique_ptr<LocalContentStore>(new LocalContentStore(root));
}

std::string LocalContentStore::PathOf(const ContentId& id) const {
  // Ids are canonical UUIDs (checked by the callers), so they are safe file names.
  return (fs::path(root_) / id.str().substr(0, 2) / id.str()).string();
}

Result<std::unique_ptr<ContentWriter>> LocalContentStore::BeginWrite(const ContentId& id) {
  if (!IsUuid(id.str())) return InvalidRequest("content ids are UUIDs");
  std::string temp = (fs::path(root_) / "tmp" / (id.str() + "." + RandomToken(9))).string();
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", temp);
  return std::unique_ptr<ContentWriter>(new LocalWriter(fd, std::move(temp), PathOf(id)));
}

Result<std::unique_ptr<ContentReader>> LocalContentStore::OpenRead(const ContentId& id,
                                                                   uint64_t offset) {
  if (!IsUuid(id.str())) return NotFound("content not found");
  std::string path = PathOf(id);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("content bytes not found");
    return IoError("cannot open", path);
  }
  if (offset > 0 && ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    Status s = IoError("cannot seek in", path);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<ContentReader>(new LocalReader(fd, std::move(path)));
}

}  // namespace relayer::server
