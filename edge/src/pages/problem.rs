//! Everything that can go wrong for a buyer: the status, the stable code and the words of
//! each problem's page.

use crate::i18n::Text;

/// Everything that can go wrong for a buyer, each with its own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    LinkNotFound,
    /// `/p/{code}` with no link stored under the code.
    ShortLinkNotFound,
    ResultNotFound,
    PageNotFound,
    Expired,
    AlreadyPaid,
    /// A multi-use link that has taken all the payments it allows.
    UsedUp,
    InProgress,
    Deactivated,
    Unavailable,
    /// The worker's environment is wrong; carries the variable's name (never its value).
    Misconfigured(&'static str),
}

impl Problem {
    pub fn status(self) -> u16 {
        match self {
            Problem::LinkNotFound
            | Problem::ShortLinkNotFound
            | Problem::ResultNotFound
            | Problem::PageNotFound => 404,
            Problem::AlreadyPaid | Problem::UsedUp | Problem::InProgress => 409,
            Problem::Expired | Problem::Deactivated => 410,
            Problem::Misconfigured(_) => 500,
            Problem::Unavailable => 502,
        }
    }

    /// The page's `data-error`, stable for tests and monitoring.
    pub fn code(self) -> &'static str {
        match self {
            Problem::LinkNotFound
            | Problem::ShortLinkNotFound
            | Problem::ResultNotFound
            | Problem::PageNotFound => "not_found",
            Problem::Expired => "expired",
            Problem::AlreadyPaid => "already_paid",
            Problem::UsedUp => "used_up",
            Problem::InProgress => "in_progress",
            Problem::Deactivated => "deactivated",
            Problem::Unavailable => "unavailable",
            Problem::Misconfigured(_) => "misconfigured",
        }
    }

    pub(super) fn words(self, t: &Text) -> (&'static str, String) {
        let (heading, message) = match self {
            Problem::LinkNotFound => t.link_not_found,
            Problem::ShortLinkNotFound => t.short_link_not_found,
            Problem::ResultNotFound => t.result_not_found,
            Problem::PageNotFound => t.page_not_found,
            Problem::Expired => t.expired,
            Problem::AlreadyPaid => t.already_paid,
            Problem::UsedUp => t.used_up,
            Problem::InProgress => t.in_progress,
            Problem::Deactivated => t.deactivated,
            Problem::Unavailable => t.unavailable,
            Problem::Misconfigured(variable) => {
                let (heading, message) = t.misconfigured;
                return (heading, message.replace("{}", variable));
            }
        };
        (heading, message.to_owned())
    }

    /// Pending buyers can act on it (wait, retry), so it gets the amber tone rather than red.
    pub(super) fn tone(self) -> &'static str {
        match self {
            Problem::InProgress | Problem::Unavailable => "warn",
            _ => "bad",
        }
    }
}
