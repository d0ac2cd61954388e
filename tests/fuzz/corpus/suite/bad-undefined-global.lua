local ys = require "yardstick"
local limit = max_samples + 1
