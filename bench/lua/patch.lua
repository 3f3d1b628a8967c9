-- W2: patch posts round-robin over the ids given after "--" (comma-separated), no If-Match
-- (the latest version wins, as a write that names no version means).
function init(args)
  ids = {}
  for id in string.gmatch(args[1], "[^,]+") do table.insert(ids, id) end
  counter = 0
  wrk.method = "PATCH"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  return wrk.format("PATCH", "/v1/documents/" .. id, nil,
    string.format('{"title":"Patched %d"}', counter))
end
