// How structured fields are packed into single columns: message parts, recipient status,
// change recipients and JSON objects. Decoding tolerates bad data by returning an error value.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"

namespace relayer::sqlite {

std::string EncodeParts(const std::vector<MessagePart>& parts);
Result<std::vector<MessagePart>> DecodeParts(std::string_view text);

// {"user":0|1|2,...} with ReceiptState values.
std::string EncodeRecipientStatus(const std::map<UserId, ReceiptState>& status);
Result<std::map<UserId, ReceiptState>> DecodeRecipientStatus(std::string_view text);

// ["user",...]
std::string EncodeUsers(const std::vector<UserId>& users);
Result<std::vector<UserId>> DecodeUsers(std::string_view text);

std::string EncodeObject(const boost::json::object& o);
Result<boost::json::object> DecodeObject(std::string_view text);

}  // namespace relayer::sqlite
