return "data.jsonl"
