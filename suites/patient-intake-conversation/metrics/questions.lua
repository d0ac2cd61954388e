-- SPDX-License-Identifier: MIT
-- questions: how many questions the intake bot asked before it wrote the
-- record, read from the conversation suite's output ({ questions = n,
-- ... }). Fewer is better for the patient, if the record is as complete.
return {
  name = "questions",
  description = "questions the intake bot asked (the output's 'questions')",
  score = function(p, sample, output, ctx)
    if type(output) ~= "table" or math.type(output.questions) ~= "integer" then
      error("the output has no whole number 'questions'", 0)
    end
    return output.questions
  end,
}
