local ys = require "yardstick"
return function(opts)
  return ys.loop(opts)
end
