local ys = require "yardstick"
error({ code = 42 })
