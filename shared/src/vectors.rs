//! What the signature test-vector files (`shared/testdata/<name>-signature-vectors.json`)
//! share: the clock and tolerance every case is checked at, each case's name, secret and the
//! error it must give, reading and writing the file, and the check that every case verifies
//! or fails as it states.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

#[derive(Serialize, Deserialize)]
pub struct Vectors<T> {
    pub description: String,
    /// The verifier's clock and tolerance for every case, in unix seconds.
    pub now: i64,
    pub tolerance_secs: i64,
    pub cases: Vec<Case<T>>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Case<T> {
    pub name: String,
    pub secret: String,
    /// What the verifier was given, besides the secret.
    #[serde(flatten)]
    pub input: T,
    /// `null` if the case verifies, else the error a verifier must give.
    pub error: Option<String>,
}

fn path(name: &str) -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    format!("{dir}/testdata/{name}-signature-vectors.json")
}

impl<T: Serialize + DeserializeOwned> Vectors<T> {
    /// The vectors of `shared/testdata/<name>-signature-vectors.json`.
    pub fn read(name: &str) -> Vectors<T> {
        let text = std::fs::read_to_string(path(name)).expect("read vectors");
        serde_json::from_str(&text).expect("parse vectors")
    }

    pub fn write(&self, name: &str) {
        let json = serde_json::to_string_pretty(self).expect("json");
        std::fs::write(path(name), json + "\n").expect("write vectors");
    }

    /// Every case gives the error it states under `check`, at least one verifies, and every
    /// error in `codes` has a case.
    pub fn assert_as_stated(
        &self,
        check: impl Fn(&Self, &Case<T>) -> Option<String>,
        codes: &[&str],
    ) {
        assert!(self.cases.iter().any(|c| c.error.is_none()));
        for c in &self.cases {
            assert_eq!(check(self, c), c.error, "{}", c.name);
        }
        for code in codes {
            assert!(
                self.cases.iter().any(|c| c.error.as_deref() == Some(code)),
                "no vector for {code}"
            );
        }
    }
}
