local ys = require "yardstick"
local f = io.open("/etc/passwd")
