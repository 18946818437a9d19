# Counts the words read on stdin and prints the most frequent ones as JSON.
# Everything at the top level runs once, at build time; `main` runs on every start.
require "json"
require_relative "lib/report"

SETTINGS = JSON.parse(File.read(File.join(__dir__, "settings.json")))
STOP_WORDS = SETTINGS.fetch("stop_words").to_set.freeze

def main(argv)
  top = argv.first == "--top" ? Integer(argv.fetch(1)) : SETTINGS.fetch("top")
  counter = Words::Counter.new(stop_words: STOP_WORDS)
  $stdin.each_line { |line| counter.add(line) }
  puts Words::Report.new(counter, top: top).to_json
  0
end
