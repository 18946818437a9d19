;; The small input of the pre-initializer benchmark: init writes scattered memory (a table of
;; squares, a string copied out of a data segment, a byte pattern far up a grown memory) and sets
;; globals of every number type. `sum` and `peek` read the state back for the equivalence check.
(module
  (memory (export "memory") 2 64)
  (global $count (export "count") (mut i32) (i32.const 0))
  (global $big (export "big") (mut i64) (i64.const 0))
  (global $ratio (export "ratio") (mut f64) (f64.const 0))
  (global $scale (export "scale") (mut f32) (f32.const 0))
  (data (i32.const 16) "wasm-runtime preinit benchmark fixture")
  (data (i32.const 1024) "\01\02\03\04\05\06\07\08")
  (data (i32.const 65536) "a second page, left as it is")
  (func (export "wizer-initialize") (local $i i32)
    ;; 4,000 squares from 4096 on
    (loop $squares
      (i32.store (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2)))
        (i32.mul (local.get $i) (local.get $i)))
      (br_if $squares (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 4000))))
    ;; copy the banner to 32768 and patch the byte table
    (memory.copy (i32.const 32768) (i32.const 16) (i32.const 38))
    (i32.store8 (i32.const 1027) (i32.const 0x7f))
    ;; grow by 2 pages and write every 97th byte of the new top page
    (drop (memory.grow (i32.const 2)))
    (local.set $i (i32.const 0))
    (loop $pattern
      (i32.store8 (i32.add (i32.const 196608) (local.get $i)) (i32.add (local.get $i) (i32.const 1)))
      (br_if $pattern (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 97))) (i32.const 65536))))
    (global.set $count (i32.const 4000))
    (global.set $big (i64.const 0x123456789abcdef))
    (global.set $ratio (f64.const 3.25))
    (global.set $scale (f32.const -0.5)))
  (func (export "sum") (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (i32.load (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2))))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (global.get $count))))
    (local.get $acc))
  (func (export "peek") (param $at i32) (result i32) (i32.load8_u (local.get $at))))
