local ys = require "yardstick"
local os = require "os"
