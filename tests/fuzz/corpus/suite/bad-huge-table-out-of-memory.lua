local ys = require "yardstick"
local t = {}
for i = 1, 1e10 do t[i] = i end
