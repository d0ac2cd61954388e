-- Code that runs while the suite loads: the helpers of the module.
local ys = require "yardstick"
local n, cats = 0, {}
for row, line in ys.rows("data.jsonl") do
  n = n + line
  cats[#cats + 1] = row.category
end
for row in ys.rows(ys.csv "data.csv") do cats[#cats + 1] = row.title end
local lines = ys.read_lines("categories.txt")
local doc = ys.json.decode('{"a":[1,2,{"b":null}],"c":"\\u00e9"}')
local text = ys.json.encode({ n = n, cats = cats, lines = lines, doc = doc,
                              null = ys.json.null })
local words = ys.words(ys.normalize("  Été, TEST! ", { case = true,
                                    whitespace = true, punctuation = true }))
local d = ys.edit_distance("kitten", "sitting") + ys.lcs({ "a", "b", "c" }, { "a", "c" })
local m = ys.re.match("Apparel > Shirts", "^(\\w+) > (\\w+)$")
local rx = ys.re.compile("s+", "i")
local g = rx:gsub("Shirts", "S")
ys.log("loaded", n, #lines, text:len(), #words, d, m, g, ys.clock() > 0,
       ys.path("x.jsonl"), ys.env("HOME") ~= nil, ys.version)
print(ys.casefold("ÉTÉ"))
return ys.suite {
  name = "load-time",
  dataset = ys.jsonl "data.jsonl",
  prompt = "{{title}}",
  models = { echo = ys.replay { field = "title" } },
  metrics = { ys.metric "exact_match" { expected = "category" } },
}
