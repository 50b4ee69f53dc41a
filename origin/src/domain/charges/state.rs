//! The charge state machine, as pure rules. The database operations in this module's
//! siblings apply the same rules as conditional updates (so they hold under concurrency) and
//! use these functions to explain a refusal.
//!
//! ```text
//!  pending ──► authorized ──capture──► capturing ──► succeeded ──refund (all)──► refunded
//!     │            │  └──void──► voiding ──► voided          ▲ └─refund (part)─┘
//!     │            └──window passes──► voided (authorization_expired)
//!     ├──► succeeded (automatic capture)
//!     └──► failed | expired
//! ```

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Authorized,
    Capturing,
    Voiding,
    Succeeded,
    Refunded,
    Failed,
    Expired,
    Voided,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Authorized => "authorized",
            Status::Capturing => "capturing",
            Status::Voiding => "voiding",
            Status::Succeeded => "succeeded",
            Status::Refunded => "refunded",
            Status::Failed => "failed",
            Status::Expired => "expired",
            Status::Voided => "voided",
        }
    }

    pub const ALL: [Status; 9] = [
        Status::Pending,
        Status::Authorized,
        Status::Capturing,
        Status::Voiding,
        Status::Succeeded,
        Status::Refunded,
        Status::Failed,
        Status::Expired,
        Status::Voided,
    ];

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// The money side of a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ledger {
    pub status: Status,
    /// What the buyer authorized (or paid).
    pub amount: i64,
    pub captured: i64,
    pub refunded: i64,
    /// Held by refunds still at the provider.
    pub refunding: i64,
    /// The end of the capture window of an authorization.
    pub capture_before: Option<i64>,
}

/// Why an operation was refused; each names what the merchant can do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    AmountNotPositive,
    CaptureAboveAuthorized {
        authorized: i64,
    },
    AuthorizationExpired,
    AlreadyCaptured,
    VoidAfterCapture,
    NotAuthorized(Status),
    /// A capture or void is at the provider right now.
    InProgress(Status),
    RefundAboveRemaining {
        remaining: i64,
    },
    NotCaptured(Status),
    FullyRefunded,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::AmountNotPositive => "amount_invalid",
            Refusal::CaptureAboveAuthorized { .. } => "amount_too_large",
            Refusal::AuthorizationExpired => "authorization_expired",
            Refusal::AlreadyCaptured => "charge_already_captured",
            Refusal::VoidAfterCapture => "charge_already_captured",
            Refusal::NotAuthorized(_) => "charge_not_authorized",
            Refusal::InProgress(_) => "charge_in_progress",
            Refusal::RefundAboveRemaining { .. } => "amount_too_large",
            Refusal::NotCaptured(_) => "charge_not_refundable",
            Refusal::FullyRefunded => "charge_already_refunded",
        }
    }

    /// The request field the refusal is about, if any.
    pub fn param(&self) -> Option<&'static str> {
        match self {
            Refusal::AmountNotPositive
            | Refusal::CaptureAboveAuthorized { .. }
            | Refusal::RefundAboveRemaining { .. } => Some("amount"),
            _ => None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::AmountNotPositive => write!(
                f,
                "The amount must be a positive whole number of minor units."
            ),
            Refusal::CaptureAboveAuthorized { authorized } => write!(
                f,
                "At most the authorized amount ({authorized}) can be captured."
            ),
            Refusal::AuthorizationExpired => write!(
                f,
                "The capture window of this authorization has passed; it has been or is being released, and the buyer must pay again."
            ),
            Refusal::AlreadyCaptured => write!(
                f,
                "This charge has been captured already; the amount cannot change after capture."
            ),
            Refusal::VoidAfterCapture => {
                write!(f, "A captured charge cannot be voided; refund it instead.")
            }
            Refusal::NotAuthorized(s) => write!(
                f,
                "Only an authorized charge can be captured or voided; this one is {}.",
                s.as_str()
            ),
            Refusal::InProgress(s) => write!(
                f,
                "This charge is {} at the provider right now; retry in a moment.",
                s.as_str()
            ),
            Refusal::RefundAboveRemaining { remaining } => write!(
                f,
                "At most the captured amount not yet refunded ({remaining}) can be refunded."
            ),
            Refusal::NotCaptured(s) => write!(
                f,
                "Only a captured charge can be refunded; this one is {}.",
                s.as_str()
            ),
            Refusal::FullyRefunded => write!(
                f,
                "This charge has been refunded in full already (or the rest of it is being refunded)."
            ),
        }
    }
}

impl Ledger {
    /// Starts capturing `amount` of an authorization.
    pub fn begin_capture(&self, amount: i64, now: i64) -> Result<Ledger, Refusal> {
        match self.status {
            Status::Authorized => {}
            Status::Succeeded | Status::Refunded => return Err(Refusal::AlreadyCaptured),
            s @ (Status::Capturing | Status::Voiding) => return Err(Refusal::InProgress(s)),
            Status::Voided if self.capture_before.is_some_and(|t| now >= t) => {
                return Err(Refusal::AuthorizationExpired);
            }
            s => return Err(Refusal::NotAuthorized(s)),
        }
        if amount <= 0 {
            return Err(Refusal::AmountNotPositive);
        }
        if amount > self.amount {
            return Err(Refusal::CaptureAboveAuthorized {
                authorized: self.amount,
            });
        }
        if self.capture_before.is_none_or(|t| now >= t) {
            return Err(Refusal::AuthorizationExpired);
        }
        Ok(Ledger {
            status: Status::Capturing,
            ..*self
        })
    }

    /// The provider captured `amount`.
    pub fn finish_capture(&self, amount: i64) -> Ledger {
        Ledger {
            status: Status::Succeeded,
            captured: amount,
            ..*self
        }
    }

    /// The provider refused the capture: the authorization stands as it was.
    pub fn abandon(&self, back_to: Status) -> Ledger {
        Ledger {
            status: back_to,
            ..*self
        }
    }

    pub fn begin_void(&self) -> Result<Ledger, Refusal> {
        match self.status {
            Status::Authorized => Ok(Ledger {
                status: Status::Voiding,
                ..*self
            }),
            Status::Succeeded | Status::Refunded => Err(Refusal::VoidAfterCapture),
            s @ (Status::Capturing | Status::Voiding) => Err(Refusal::InProgress(s)),
            s => Err(Refusal::NotAuthorized(s)),
        }
    }

    pub fn finish_void(&self) -> Ledger {
        Ledger {
            status: Status::Voided,
            ..*self
        }
    }

    /// Reserves `amount` for a refund on its way to the provider.
    pub fn begin_refund(&self, amount: i64) -> Result<Ledger, Refusal> {
        match self.status {
            Status::Succeeded => {}
            Status::Refunded => return Err(Refusal::FullyRefunded),
            s => return Err(Refusal::NotCaptured(s)),
        }
        // Nothing left comes first: a "refund the rest" read while another refund held the
        // rest asks for 0, and is told the charge is refunded, not that 0 is no amount.
        let remaining = self.captured - self.refunded - self.refunding;
        if remaining == 0 {
            // All of it refunded, or on its way back by a refund still at the provider.
            return Err(Refusal::FullyRefunded);
        }
        if amount <= 0 {
            return Err(Refusal::AmountNotPositive);
        }
        if amount > remaining {
            return Err(Refusal::RefundAboveRemaining { remaining });
        }
        Ok(Ledger {
            refunding: self.refunding + amount,
            ..*self
        })
    }

    /// The provider answered a refund of `amount`: done, or refused (the hold is released).
    pub fn finish_refund(&self, amount: i64, done: bool) -> Ledger {
        let refunded = self.refunded + if done { amount } else { 0 };
        Ledger {
            refunding: self.refunding - amount,
            refunded,
            status: if refunded >= self.captured && self.status == Status::Succeeded {
                Status::Refunded
            } else {
                self.status
            },
            ..*self
        }
    }

    /// What must always hold, whatever happened.
    pub fn invariant_holds(&self) -> bool {
        self.captured <= self.amount
            && self.refunded >= 0
            && self.refunding >= 0
            && self.refunded + self.refunding <= self.captured
            && (self.captured == 0 || matches!(self.status, Status::Succeeded | Status::Refunded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_000;

    fn authorized(amount: i64) -> Ledger {
        Ledger {
            status: Status::Authorized,
            amount,
            captured: 0,
            refunded: 0,
            refunding: 0,
            capture_before: Some(NOW + 100),
        }
    }

    #[test]
    fn capture_is_bounded_by_the_authorization_and_its_window() {
        let a = authorized(1000);
        assert_eq!(
            a.begin_capture(1001, NOW),
            Err(Refusal::CaptureAboveAuthorized { authorized: 1000 })
        );
        assert_eq!(a.begin_capture(0, NOW), Err(Refusal::AmountNotPositive));
        assert_eq!(
            a.begin_capture(500, NOW + 100),
            Err(Refusal::AuthorizationExpired)
        );
        let c = a
            .begin_capture(600, NOW)
            .expect("capture")
            .finish_capture(600);
        assert_eq!((c.status, c.captured), (Status::Succeeded, 600));
        assert_eq!(c.begin_capture(600, NOW), Err(Refusal::AlreadyCaptured));
        assert_eq!(c.begin_void(), Err(Refusal::VoidAfterCapture));
    }

    #[test]
    fn partial_refunds_add_up_to_the_capture_and_then_the_charge_is_refunded() {
        let c = authorized(1000)
            .begin_capture(800, NOW)
            .expect("capture")
            .finish_capture(800);
        let r1 = c
            .begin_refund(300)
            .expect("refund")
            .finish_refund(300, true);
        assert_eq!((r1.status, r1.refunded), (Status::Succeeded, 300));
        assert_eq!(
            r1.begin_refund(501),
            Err(Refusal::RefundAboveRemaining { remaining: 500 })
        );
        let r2 = r1
            .begin_refund(500)
            .expect("refund")
            .finish_refund(500, true);
        assert_eq!((r2.status, r2.refunded), (Status::Refunded, 800));
        assert_eq!(r2.begin_refund(1), Err(Refusal::FullyRefunded));
    }

    #[test]
    fn a_refused_refund_releases_its_hold() {
        let c = authorized(100)
            .begin_capture(100, NOW)
            .expect("capture")
            .finish_capture(100);
        let held = c.begin_refund(100).expect("refund");
        assert_eq!(held.begin_refund(1), Err(Refusal::FullyRefunded));
        // "The rest" computed while the hold was on is 0: refunded, not a bad amount.
        assert_eq!(held.begin_refund(0), Err(Refusal::FullyRefunded));
        assert_eq!(held.finish_refund(100, false), c);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Capture(i64),
        Void,
        /// Start a refund; it finishes at a later `Finish`.
        Refund(i64),
        /// The provider answers the oldest refund in flight.
        Finish(bool),
        Tick(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (-10i64..1200).prop_map(Op::Capture),
            Just(Op::Void),
            (-10i64..1200).prop_map(Op::Refund),
            any::<bool>().prop_map(Op::Finish),
            (0i64..60).prop_map(Op::Tick),
        ]
    }

    proptest! {
        /// Whatever the order of calls and provider answers: one capture at most, never more
        /// refunded than captured, never a void of a captured charge.
        #[test]
        fn no_sequence_breaks_the_ledger(amount in 1i64..1000, ops in proptest::collection::vec(op(), 0..40)) {
            let mut l = authorized(amount);
            let mut now = NOW;
            let mut in_flight: Vec<i64> = Vec::new();
            let mut captures = 0;
            for o in ops {
                match o {
                    Op::Capture(a) => if let Ok(next) = l.begin_capture(a, now) {
                        captures += 1;
                        l = next.finish_capture(a);
                    },
                    Op::Void => {
                        let captured = l.captured > 0;
                        if let Ok(next) = l.begin_void() {
                            prop_assert!(!captured, "voided a captured charge");
                            l = next.finish_void();
                        }
                    }
                    Op::Refund(a) => if let Ok(next) = l.begin_refund(a) {
                        in_flight.push(a);
                        l = next;
                    },
                    Op::Finish(done) => if !in_flight.is_empty() {
                        let a = in_flight.remove(0);
                        l = l.finish_refund(a, done);
                    },
                    Op::Tick(s) => now += s,
                }
                prop_assert!(l.invariant_holds(), "{l:?}");
                prop_assert!(captures <= 1);
            }
        }
    }
}
