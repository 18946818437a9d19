require "json"
require "set"

module Words
  # Counts lowercase words, leaving out stop words.
  class Counter
    attr_reader :counts, :total

    def initialize(stop_words: Set.new)
      @stop_words = stop_words
      @counts = Hash.new(0)
      @total = 0
    end

    def add(text)
      text.downcase.scan(/[a-z']+/) do |word|
        next if @stop_words.include?(word)

        @counts[word] += 1
        @total += 1
      end
    end
  end

  # The most frequent words, most frequent first (ties alphabetically).
  class Report
    def initialize(counter, top:)
      @counter = counter
      @top = top
    end

    def to_h
      ranked = @counter.counts.sort_by { |word, n| [-n, word] }.first(@top)
      { "words" => @counter.total, "top" => ranked.map { |word, n| { "word" => word, "count" => n } } }
    end

    def to_json(*args) = to_h.to_json(*args)
  end
end
