# wasm-runtime's Ruby prelude. The init export evaluates it once, at build time, right after
# ruby-init: it loads the app's entry file (everything at its top level runs then, and ends up in
# the snapshot). After restore, the run export calls WasmRuntime.__run and JS callers
# WasmRuntime.__call. Both take their strings hex-encoded, so no input is ever parsed as Ruby.
module WasmRuntime
  ENTRY = ENV.fetch("RUBY_APP_ENTRY", "/app/main.rb")
  ROOT = ENV.fetch("RUBY_APP_ROOT") { File.dirname(ENTRY) }
  # Where this prelude's frames say they are (rb-eval-string-protect names its code "eval").
  PRELUDE_LOCATION = "#{__FILE__}:".freeze

  class << self
    # The command entry: ARGV, $0, ENV and the random seed of this run, then main; exits with its code.
    def __run(args_hex, env_hex)
      code = begin
        __start(args_hex, env_hex)
        __main
      rescue SystemExit => e
        e.status
      rescue Exception => e # rubocop:disable Lint/RescueException -- a program's uncaught error
        __report(e)
        1
      end
      code = __at_exit(code)
      __flush
      exit!(code)
    end

    # Runs the at_exit blocks, last registered first, as Ruby does at exit: `exit n` in one sets
    # the status, an error in one is reported and makes it 1. Blocks registered at init (by the app
    # or a library it requires) are in the snapshot and run at the end of every start.
    def __at_exit(code)
      while (block = AT_EXIT.pop)
        begin
          block.call
        rescue SystemExit => e
          code = e.status
        rescue Exception => e # rubocop:disable Lint/RescueException -- reported like Ruby's own
          __report(e)
          code = 1
        end
      end
      code
    end

    # The reactor entry: calls the top-level method +name+ with one String and answers
    # "0" + result.to_s, "1" + Ruby's error report, or "2" when there is no such method.
    def __call(name_hex, input_hex)
      __reseed unless @reseeded
      name = __decode(name_hex)
      input = __decode(input_hex)
      return "2" unless TOPLEVEL_BINDING.receiver.respond_to?(name, true)
      result = TOPLEVEL_BINDING.receiver.__send__(name, input)
      __flush
      "0#{result}"
    rescue Exception => e # rubocop:disable Lint/RescueException -- reported to the JS caller
      __flush
      "1#{__filtered(e).full_message(highlight: false)}"
    end

    def __main
      receiver = TOPLEVEL_BINDING.receiver
      unless receiver.respond_to?(:main, true)
        $stderr.write("wasm-runtime/ruby: #{ENTRY} defines no `main` method: define `def main(argv)` at its top level\n")
        return 1
      end
      main = receiver.method(:main)
      result = main.arity.zero? ? main.call : main.call(ARGV)
      case result
      when Integer then result
      when false then 1
      else 0
      end
    end

    def __start(args_hex, env_hex)
      args = __strings(args_hex)
      env = {}
      __strings(env_hex).each do |pair|
        key, value = pair.split("=", 2)
        env[key] = value || "" unless key.nil? || key.empty?
      end
      ENV.replace(env)
      $0 = args.shift || $0
      ARGV.replace(args)
      __reseed
    end

    # Init ran with a deterministic generator: every start draws from a seed of its own.
    def __reseed
      srand(Random.new_seed)
      @reseeded = true
    end

    def __decode(hex)
      [hex].pack("H*").force_encoding(Encoding::UTF_8)
    end

    # A WASI string list (NUL-terminated strings end to end), hex-encoded.
    def __strings(hex)
      list = __decode(hex).split("\0", -1)
      list.pop
      list
    end

    # The report stops at the app's outermost frame: the prelude's frames (and the evaluation
    # that called them) are the recipe's, not the app's.
    def __filtered(error)
      trace = error.backtrace
      own = trace&.index { |line| line.start_with?(PRELUDE_LOCATION) || line.include?("in 'WasmRuntime.__") }
      error.set_backtrace(trace.first(own)) if own
      error
    end

    def __report(error)
      $stderr.write(__filtered(error).full_message(highlight: false))
    end

    def __flush
      [$stdout, $stderr, STDOUT, STDERR].uniq.each do |io|
        io.flush
      rescue StandardError
        nil
      end
    end
  end
end

# Ruby runs at_exit blocks when the interpreter is torn down, which a start never reaches (it ends
# with exit!, at once): they are kept here and run by WasmRuntime.__run after main.
module WasmRuntime
  AT_EXIT = []
end

module Kernel
  def at_exit(&block)
    raise ArgumentError, "called without a block" unless block

    WasmRuntime::AT_EXIT.push(block)
    block
  end
  module_function :at_exit
end

$0 = ENV.fetch("RUBY_APP_NAME", "ruby")
$LOAD_PATH.unshift(WasmRuntime::ROOT) unless $LOAD_PATH.include?(WasmRuntime::ROOT)
begin
  require WasmRuntime::ENTRY
rescue Exception => e # rubocop:disable Lint/RescueException -- init must fail with Ruby's report
  $stderr.write("wasm-runtime/ruby: init failed while loading #{WasmRuntime::ENTRY}:\n")
  WasmRuntime.__report(e)
  WasmRuntime.__flush
  raise
end
unless TOPLEVEL_BINDING.receiver.respond_to?(:main, true)
  $stderr.write("wasm-runtime/ruby: warning: #{WasmRuntime::ENTRY} defines no `main` method; `run` will fail (reactor calls still work)\n")
end
# The reactor entry keeps init's ENV: leave none of the recipe's variables in it.
%w[RUBY_APP_ENTRY RUBY_APP_ROOT RUBY_APP_NAME].each { |name| ENV.delete(name) }
WasmRuntime.__flush
GC.start(full_mark: true, immediate_sweep: true)
