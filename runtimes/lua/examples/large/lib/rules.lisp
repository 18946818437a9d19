; Pricing rules, evaluated by lib/lisp.lua for every order at init.
; (discount order-subtotal-cents item-count tier coupon) -> list of (name cents)

(define (percent cents p) (round (* cents (/ p 100))))

(define (tier-discount subtotal tier)
  (cond ((= tier "platinum") (list "platinum tier" (percent subtotal 12)))
        ((= tier "gold") (list "gold tier" (percent subtotal 7)))
        ((= tier "silver") (list "silver tier" (percent subtotal 3)))
        (else nil)))

(define (coupon-discount subtotal items coupon)
  (cond ((= coupon "WELCOME10") (list "coupon WELCOME10" (percent subtotal 10)))
        ((= coupon "SPRING5") (list "coupon SPRING5" (min 500 (percent subtotal 5))))
        ((and (= coupon "BULK") (>= items 8)) (list "coupon BULK" (* 100 items)))
        (else nil)))

(define (keep xs) (filter (lambda (x) (not (null? x))) xs))

(define (discounts subtotal items tier coupon)
  (keep (list (tier-discount subtotal tier)
              (coupon-discount subtotal items coupon))))

; Sanity checks run when the rules load.
(define (check name got want)
  (if (= got want) #t (string-append name ": expected " (number->string want) ", got " (number->string got))))

(check "percent" (percent 10000 7) 700)
