//! A live link's page, and the buyer's Pay: check what they typed, hand the checkout to the
//! origin, and answer with where to pay or the page again with what went wrong.

use super::{Link, Purpose, Reply, Step, page};
use crate::amount::{self, AmountProblem};
use crate::branding::Branding;
use crate::checkout::{self, Next, OriginRequest};
use crate::config::Config;
use crate::methods::{self, Method};
use crate::pages::{self, Page, Problem, Rejected, Shop, Typed};
use linkpay_shared::token::Amount;

/// A checkout in flight: what to send and what is needed to answer the buyer afterwards.
#[derive(Debug)]
pub struct Checkout {
    pub request: OriginRequest,
    pub form_action: String,
    /// To show the pay page again if the origin refuses the amount.
    link: Box<Link>,
    typed: Option<String>,
    email: String,
    methods: Vec<Method>,
    method: Method,
    branding: Branding,
}

impl Checkout {
    /// For logs: the link id is not a secret, the token is.
    pub fn link_id(&self) -> &str {
        &self.link.claims.link_id
    }
}

impl Link {
    /// The pay page again, `422`, with what the buyer typed and why it cannot be paid.
    fn again(&self, nonce: &str, typed: Typed<'_>, rejected: Rejected<'_>, shop: Shop<'_>) -> Page {
        pages::pay_again(
            &self.claims,
            &self.token,
            self.locale,
            nonce,
            typed,
            rejected,
            shop,
        )
    }
}

/// The link is live as far as the edge knows: show its page, or check the buyer's amount
/// and hand the checkout to the origin.
pub(super) fn proceed(
    cfg: &Config,
    link: Box<Link>,
    purpose: Purpose,
    offered: Vec<Method>,
    branding: Branding,
    now: i64,
    nonce: &str,
) -> Step {
    let shop = Shop {
        methods: &offered,
        branding: &branding,
    };
    let done = |p| page(p, nonce, &cfg.form_action);
    let (typed, email, method) = match purpose {
        Purpose::Show => {
            return done(pages::pay(
                &link.claims,
                &link.token,
                link.locale,
                nonce,
                shop,
            ));
        }
        Purpose::Pay {
            typed,
            email,
            method,
        } => (typed, email.unwrap_or_default().trim().to_owned(), method),
    };
    let chosen_method = methods::chosen(&offered, method.as_deref());
    let shown = Typed {
        amount: typed.as_deref().unwrap_or_default(),
        email: &email,
        method: chosen_method.or(offered.first().copied()),
    };
    let again = |rejected| done(link.again(nonce, shown, rejected, shop));
    let Some(chosen_method) = chosen_method else {
        return again(Rejected::Method);
    };
    // Only a buyer-chosen amount goes to the origin; a fixed link's is in its token, and
    // whatever was posted with it is ignored.
    let chosen = match link.claims.amount {
        Amount::Fixed(_) => None,
        Amount::BuyerChosen { .. } => match amount::choose(&link.claims.amount, typed.as_deref()) {
            Ok(money) => Some(money.minor()),
            Err(problem) => return again(Rejected::Amount(&problem)),
        },
    };
    if !email.is_empty() && !crate::email::looks_like_one(&email) {
        return again(Rejected::Email);
    }
    let email_sent = (!email.is_empty()).then_some(email.as_str());
    Step::AskOrigin(Checkout {
        request: checkout::request(
            cfg,
            &link.token,
            link.locale,
            chosen,
            email_sent,
            chosen_method,
            now,
        ),
        form_action: cfg.form_action.clone(),
        link,
        typed,
        email,
        methods: offered,
        method: chosen_method,
        branding,
    })
}

/// The buyer's answer once the origin replied with `(status, body)`, or could not be reached
/// (`None`).
pub fn after_checkout(checkout: &Checkout, answer: Option<(u16, &str)>, nonce: &str) -> Reply {
    let next = match answer {
        Some((status, body)) => checkout::next(status, body),
        None => Next::Problem(Problem::Unavailable),
    };
    let link = &checkout.link;
    let typed = Typed {
        amount: checkout.typed.as_deref().unwrap_or_default(),
        email: &checkout.email,
        method: Some(checkout.method),
    };
    let shop = Shop {
        methods: &checkout.methods,
        branding: &checkout.branding,
    };
    let again = |rejected| link.again(nonce, typed, rejected, shop);
    let page = match next {
        Next::Redirect(location) => {
            return Reply::see_other(location, nonce, &checkout.form_action);
        }
        // The origin checks addresses more closely than the edge does.
        Next::EmailInvalid if !checkout.email.is_empty() => again(Rejected::Email),
        Next::EmailInvalid => pages::problem(Problem::Unavailable, link.locale, nonce),
        Next::MethodUnavailable => again(Rejected::Method),
        Next::AmountInvalid(message)
            if matches!(link.claims.amount, Amount::BuyerChosen { .. }) =>
        {
            again(Rejected::Amount(&AmountProblem::Refused(message)))
        }
        // A fixed link's amount is not the buyer's to fix, but a wallet's ceiling can be
        // avoided by paying another way.
        Next::AmountInvalid(_) if checkout.methods.len() > 1 && checkout.method != Method::Card => {
            again(Rejected::Method)
        }
        Next::AmountInvalid(_) => pages::problem(Problem::Unavailable, link.locale, nonce),
        Next::Problem(problem) => pages::problem(problem, link.locale, nonce),
    };
    Reply::html(page, nonce, &checkout.form_action)
}
