//! The connector to the built-in sandbox provider. The sandbox runs in this process, so the
//! connector calls its API functions directly instead of over HTTP; everything else about it
//! (its own records, hosted page, return redirect) is what a real redirect provider does.

use super::{Outcome, Provider, ProviderError, StartPayment, Started};
use crate::db::Db;
use crate::sandbox::store::{self, NewPayment};

pub struct SandboxConnector {
    pub db: Db,
    /// The sandbox's public base, e.g. `http://127.0.0.1:8080/sandbox`.
    pub base_url: String,
}

impl SandboxConnector {
    /// The connector this origin uses: the sandbox mounted under its own public URL.
    pub fn for_state(state: &crate::state::AppState) -> SandboxConnector {
        SandboxConnector {
            db: state.db.clone(),
            base_url: format!("{}/sandbox", state.config.public_url),
        }
    }
}

impl Provider for SandboxConnector {
    const NAME: &'static str = "sandbox";

    async fn start(&self, req: StartPayment<'_>) -> Result<Started, ProviderError> {
        let payment = store::create(
            &self.db,
            NewPayment {
                amount: req.amount,
                merchant_name: req.merchant_name,
                description: req.description,
                return_url: &req.return_url,
            },
        )
        .await?;
        Ok(Started {
            redirect_url: format!("{}/pay/{}", self.base_url, payment.id),
            provider_ref: payment.id,
        })
    }

    async fn sync(&self, provider_ref: &str) -> Result<Outcome, ProviderError> {
        let p = store::get(self.db.reader(), provider_ref)
            .await?
            .ok_or_else(|| ProviderError::UnknownPayment(provider_ref.to_owned()))?;
        Ok(match p.status_at(crate::clock::now()) {
            "succeeded" => Outcome::Succeeded {
                card_brand: p.card_brand.unwrap_or_default(),
                card_last4: p.card_last4.unwrap_or_default(),
            },
            "declined" => {
                let code = p.decline_code.unwrap_or_else(|| "card_declined".into());
                Outcome::Declined {
                    message: crate::sandbox::cards::decline_message(&code).to_owned(),
                    code,
                    card_brand: p.card_brand,
                    card_last4: p.card_last4,
                }
            }
            "expired" => Outcome::Expired,
            _ => Outcome::Pending,
        })
    }

    async fn refund(&self, provider_ref: &str) -> Result<(), ProviderError> {
        if store::refund(&self.db, provider_ref).await? {
            Ok(())
        } else {
            Err(ProviderError::NotRefundable(provider_ref.to_owned()))
        }
    }
}
