return {
  name = "fails_on_p05",
  score = function(p, sample, output, ctx)
    if ctx.id == "p05" then error("cannot score p05") end
    return #output
  end,
}
