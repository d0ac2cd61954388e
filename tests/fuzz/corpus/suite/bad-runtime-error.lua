local ys = require "yardstick"
local n = #nil
